import { closeSync, openSync, readSync } from "node:fs";

/** A GGUF metadata value. Arrays longer than {@link maxKeptArrayLength} are summarised by their length. */
export type GgufValue = string | number | bigint | boolean | GgufValue[] | { arrayLength: number };

/** One tensor as the header describes it. */
export interface GgufTensor {
  name: string;
  dimensions: number[];
  /** The ggml type number (0 = F32, 1 = F16, 8 = Q8_0, …). */
  type: number;
  /** Byte offset from the start of the tensor data section. */
  offset: number;
}

/** The parsed header of a GGUF file: metadata, tensor table and where each section lies. */
export interface GgufHeader {
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensor[];
  /** Byte offset of the first key/value pair (right after the fixed header). */
  metadataStart: number;
  /** Byte offset just past the last key/value pair, where the tensor table starts. */
  metadataEnd: number;
  /** Byte offset just past the tensor table. */
  tensorInfoEnd: number;
  /** `general.alignment`, or 32. */
  alignment: number;
  /** Byte offset of the tensor data section (the tensor table end, aligned). */
  dataOffset: number;
}

/** Why the header could not be parsed: the file ended early, or the bytes are not a GGUF header. */
export class GgufParseError extends Error {
  override name = "GgufParseError";
  readonly kind: "truncated" | "invalid";

  constructor(kind: "truncated" | "invalid", message: string) {
    super(message);
    this.kind = kind;
  }
}

/** Arrays with more elements than this (vocabularies, merges) are skipped and kept as `{ arrayLength }`. */
export const maxKeptArrayLength = 64;
/** Longest metadata string accepted: chat templates are a few KiB, so 16 MiB means a corrupt header. */
const maxStringBytes = 16 * 1024 * 1024;
/** Most key/value pairs or tensors accepted; real models have a few hundred to a few thousand. */
const maxEntries = 1_000_000;
const windowBytes = 1024 * 1024;

/**
 * Reads the fixed header, every key/value pair and the tensor table of a GGUF file (v2 or v3),
 * checking every length against the file size, so a truncated or corrupt file is reported instead of
 * being handed to llama.cpp (which may abort the process on some corrupt files). Reads through a
 * 1 MiB window; large arrays are walked, not kept.
 *
 * @throws {GgufParseError} when the file ends early (`truncated`) or is not a GGUF header (`invalid`).
 */
export function parseGgufHeader(file: string): GgufHeader {
  const fd = openSync(file, "r");
  try {
    return new HeaderReader(fd).read();
  } finally {
    closeSync(fd);
  }
}

class HeaderReader {
  #fd: number;
  #buffer = Buffer.alloc(0);
  /** File offset of `#buffer[0]`. */
  #bufferStart = 0;
  #position = 0;
  #fileEnded = false;

  constructor(fd: number) {
    this.#fd = fd;
  }

  read(): GgufHeader {
    const magic = this.#bytes(4).toString("latin1");
    if (magic !== "GGUF") {
      throw new GgufParseError(
        "invalid",
        `It does not start with the GGUF magic bytes (found ${JSON.stringify(magic)})`,
      );
    }
    const version = this.#u32();
    if (version < 2 || version > 3)
      throw new GgufParseError("invalid", `Unsupported GGUF version ${version}`);
    const tensorCount = this.#count("tensor count");
    const keyCount = this.#count("metadata key count");
    const metadataStart = this.#position;
    const metadata = new Map<string, GgufValue>();
    for (let index = 0; index < keyCount; index++) {
      const key = this.#string();
      metadata.set(key, this.#value(this.#u32()));
    }
    const metadataEnd = this.#position;
    const tensors: GgufTensor[] = [];
    for (let index = 0; index < tensorCount; index++) {
      const name = this.#string();
      const dimensionCount = this.#u32();
      if (dimensionCount > 8)
        throw new GgufParseError("invalid", `Tensor ${name} has ${dimensionCount} dimensions`);
      const dimensions: number[] = [];
      for (let d = 0; d < dimensionCount; d++) dimensions.push(this.#u64Number());
      tensors.push({ name, dimensions, type: this.#u32(), offset: this.#u64Number() });
    }
    const tensorInfoEnd = this.#position;
    const alignmentValue = metadata.get("general.alignment");
    const alignment = typeof alignmentValue === "number" && alignmentValue > 0 ? alignmentValue : 32;
    const dataOffset = Math.ceil(tensorInfoEnd / alignment) * alignment;
    return { version, metadata, tensors, metadataStart, metadataEnd, tensorInfoEnd, alignment, dataOffset };
  }

  #value(type: number): GgufValue {
    switch (type) {
      case 0:
        return this.#bytes(1).readUInt8(0);
      case 1:
        return this.#bytes(1).readInt8(0);
      case 2:
        return this.#bytes(2).readUInt16LE(0);
      case 3:
        return this.#bytes(2).readInt16LE(0);
      case 4:
        return this.#u32();
      case 5:
        return this.#bytes(4).readInt32LE(0);
      case 6:
        return this.#bytes(4).readFloatLE(0);
      case 7:
        return this.#bytes(1).readUInt8(0) !== 0;
      case 8:
        return this.#string();
      case 9: {
        const elementType = this.#u32();
        const length = this.#count("array length");
        if (length > maxKeptArrayLength) {
          for (let index = 0; index < length; index++) this.#value(elementType);
          return { arrayLength: length };
        }
        const values: GgufValue[] = [];
        for (let index = 0; index < length; index++) values.push(this.#value(elementType));
        return values;
      }
      case 10: {
        const value = this.#bytes(8).readBigUInt64LE(0);
        return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
      }
      case 11: {
        const value = this.#bytes(8).readBigInt64LE(0);
        return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
          ? Number(value)
          : value;
      }
      case 12:
        return this.#bytes(8).readDoubleLE(0);
      default:
        throw new GgufParseError("invalid", `Unknown metadata value type ${type} at byte ${this.#position}`);
    }
  }

  #u32(): number {
    return this.#bytes(4).readUInt32LE(0);
  }

  #u64Number(): number {
    const value = this.#bytes(8).readBigUInt64LE(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new GgufParseError("invalid", `Implausible 64-bit value ${value} at byte ${this.#position - 8}`);
    }
    return Number(value);
  }

  #count(what: string): number {
    const value = this.#u64Number();
    if (value > maxEntries) throw new GgufParseError("invalid", `Implausible ${what} ${value}`);
    return value;
  }

  #string(): string {
    const length = this.#u64Number();
    if (length > maxStringBytes) {
      throw new GgufParseError(
        "invalid",
        `Implausible string length ${length} at byte ${this.#position - 8}`,
      );
    }
    return this.#bytes(length).toString("utf8");
  }

  /** The next `length` bytes (a view into the window, valid until the next read). */
  #bytes(length: number): Buffer {
    const offset = this.#position - this.#bufferStart;
    if (offset + length > this.#buffer.length) this.#refill(length);
    const start = this.#position - this.#bufferStart;
    this.#position += length;
    return this.#buffer.subarray(start, start + length);
  }

  #refill(length: number): void {
    if (this.#fileEnded) this.#truncated(length);
    const size = Math.max(windowBytes, length);
    const buffer = Buffer.allocUnsafe(size);
    const read = readSync(this.#fd, buffer, 0, size, this.#position);
    if (read < size) this.#fileEnded = true;
    this.#buffer = buffer.subarray(0, read);
    this.#bufferStart = this.#position;
    if (read < length) this.#truncated(length);
  }

  #truncated(length: number): never {
    throw new GgufParseError(
      "truncated",
      `The file ends inside its header (needed ${length} more bytes at byte ${this.#position})`,
    );
  }
}

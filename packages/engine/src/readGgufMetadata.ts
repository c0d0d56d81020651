import { stat } from "node:fs/promises";
import { ModelError } from "llmstream";
import { ggmlTensorBytes, ggmlTypeName } from "./ggmlTypes.js";
import { type GgufHeader, GgufParseError, type GgufValue, parseGgufHeader } from "./parseGgufHeader.js";

/** What `llmstream models` shows about a GGUF file, read from its header without loading it. */
export interface GgufModelInfo {
  /** The file path as given. */
  file: string;
  sizeBytes: number;
  ggufVersion: number;
  /** `general.architecture`, e.g. `llama`. */
  architecture: string | undefined;
  /** `general.name`. */
  name: string | undefined;
  /** `general.parameter_count` when present, else the sum of the tensors' element counts. */
  parameterCount: number;
  /** `<architecture>.context_length`: the context the model was trained with. */
  contextLength: number | undefined;
  /** Whether `tokenizer.chat_template` is present: without it the engine runs plain text completion. */
  hasChatTemplate: boolean;
  chatTemplate: string | undefined;
  /** The quantisation: `general.file_type` by name (e.g. `Q4_K_M`), else the most common tensor type. */
  fileType: string;
  tensorCount: number;
}

/** llama.cpp's `llama_ftype` names, as stored in `general.file_type`. */
const fileTypeNames: Record<number, string> = {
  0: "F32",
  1: "F16",
  2: "Q4_0",
  3: "Q4_1",
  7: "Q8_0",
  8: "Q5_0",
  9: "Q5_1",
  10: "Q2_K",
  11: "Q3_K_S",
  12: "Q3_K_M",
  13: "Q3_K_L",
  14: "Q4_K_S",
  15: "Q4_K_M",
  16: "Q5_K_S",
  17: "Q5_K_M",
  18: "Q6_K",
  19: "IQ2_XXS",
  20: "IQ2_XS",
  21: "Q2_K_S",
  22: "IQ3_XS",
  23: "IQ3_XXS",
  24: "IQ1_S",
  25: "IQ4_NL",
  26: "IQ3_S",
  27: "IQ3_M",
  28: "IQ2_S",
  29: "IQ2_M",
  30: "IQ4_XS",
  31: "IQ1_M",
  32: "BF16",
  36: "TQ1_0",
  37: "TQ2_0",
};

/**
 * Checks a model file and reads its GGUF metadata, without loading it: exists, is a regular non-empty
 * file, has a parsable GGUF header, and holds every byte of tensor data the header promises. This runs
 * before a file is handed to llama.cpp, which may abort the whole process on a corrupt file.
 *
 * @throws {ModelError} naming the file and what to do, with a `reason` (`missing`, `not-a-file`,
 *   `empty`, `not-gguf`, `truncated`, `unreadable`).
 */
export async function readGgufMetadata(file: string): Promise<GgufModelInfo> {
  let size: number;
  try {
    const stats = await stat(file);
    if (!stats.isFile()) {
      throw new ModelError(
        "not-a-file",
        `Model file ${file} is not a regular file: pass the path of a .gguf file`,
        {
          file,
        },
      );
    }
    size = stats.size;
  } catch (error) {
    if (error instanceof ModelError) throw error;
    throw fileSystemError(file, error);
  }
  if (size === 0) {
    throw new ModelError("empty", `Model file ${file} is empty (0 bytes): download it again`, { file });
  }
  let header: GgufHeader;
  try {
    header = parseGgufHeader(file);
  } catch (error) {
    if (error instanceof GgufParseError) {
      if (error.kind === "truncated") {
        throw new ModelError(
          "truncated",
          `Model file ${file} is truncated: ${error.message}. Download it again (pullModel resumes partial downloads)`,
          { file, cause: error },
        );
      }
      throw new ModelError("not-gguf", `Model file ${file} is not a GGUF model: ${error.message}`, {
        file,
        cause: error,
      });
    }
    throw fileSystemError(file, error);
  }
  const dataEnd = tensorDataEnd(header);
  if (dataEnd > size) {
    throw new ModelError(
      "truncated",
      `Model file ${file} is truncated: it has ${size} bytes but its tensors need ${dataEnd}. Download it again (pullModel resumes partial downloads)`,
      { file },
    );
  }
  return describe(file, size, header);
}

function describe(file: string, sizeBytes: number, header: GgufHeader): GgufModelInfo {
  const metadata = header.metadata;
  const architecture = stringValue(metadata.get("general.architecture"));
  const chatTemplate = stringValue(metadata.get("tokenizer.chat_template"));
  const declaredParameters = numberValue(metadata.get("general.parameter_count"));
  const fileTypeNumber = numberValue(metadata.get("general.file_type"));
  return {
    file,
    sizeBytes,
    ggufVersion: header.version,
    architecture,
    name: stringValue(metadata.get("general.name")),
    parameterCount: declaredParameters ?? countParameters(header),
    contextLength:
      architecture === undefined ? undefined : numberValue(metadata.get(`${architecture}.context_length`)),
    hasChatTemplate: chatTemplate !== undefined && chatTemplate.trim() !== "",
    chatTemplate,
    fileType:
      fileTypeNumber === undefined
        ? dominantTensorType(header)
        : (fileTypeNames[fileTypeNumber] ?? `file type ${fileTypeNumber}`),
    tensorCount: header.tensors.length,
  };
}

/** The end of the last tensor's bytes. Tensors of a type the size table lacks count as one byte. */
function tensorDataEnd(header: GgufHeader): number {
  let end = header.dataOffset;
  for (const tensor of header.tensors) {
    const bytes = ggmlTensorBytes(tensor.type, tensor.dimensions) ?? 1;
    end = Math.max(end, header.dataOffset + tensor.offset + bytes);
  }
  return end;
}

function countParameters(header: GgufHeader): number {
  let total = 0;
  for (const tensor of header.tensors) {
    let elements = 1;
    for (const dimension of tensor.dimensions) elements *= dimension;
    total += elements;
  }
  return total;
}

/** The tensor type holding the most elements, for files without `general.file_type`. */
function dominantTensorType(header: GgufHeader): string {
  const elementsByType = new Map<number, number>();
  for (const tensor of header.tensors) {
    let elements = 1;
    for (const dimension of tensor.dimensions) elements *= dimension;
    elementsByType.set(tensor.type, (elementsByType.get(tensor.type) ?? 0) + elements);
  }
  let best: number | undefined;
  let bestElements = -1;
  for (const [type, elements] of elementsByType) {
    if (elements > bestElements) [best, bestElements] = [type, elements];
  }
  return best === undefined ? "unknown" : ggmlTypeName(best);
}

function stringValue(value: GgufValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function numberValue(value: GgufValue | undefined): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return undefined;
}

function fileSystemError(file: string, error: unknown): ModelError {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ENOENT" || code === "ENOTDIR") {
    return new ModelError(
      "missing",
      `Model file ${file} does not exist: check the path, or download a model with pullModel`,
      { file, cause: error },
    );
  }
  if (code === "EISDIR") {
    return new ModelError("not-a-file", `Model file ${file} is a directory: pass the path of a .gguf file`, {
      file,
      cause: error,
    });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new ModelError("unreadable", `Model file ${file} could not be read: ${detail}`, {
    file,
    cause: error,
  });
}

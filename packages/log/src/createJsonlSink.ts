import { closeSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { ensureDirectory } from "llmstream/node";
import type { RequestRecord } from "./RequestRecord.js";
import type { RequestSink } from "./RequestSink.js";

/** Options of {@link createJsonlSink}. */
export interface JsonlSinkOptions {
  /** The file to append to; created with its folder if missing. */
  path: string;
}

/**
 * A sink that appends one JSON line per record (`--log-file path.jsonl`), for shipping records to
 * another system. The file is opened in append mode on the first write and each line is one
 * `write(2)`, so lines from several processes do not interleave.
 *
 * @example
 * ```ts
 * const sink = createJsonlSink({ path: "requests.jsonl" });
 * ```
 */
export function createJsonlSink(options: JsonlSinkOptions): RequestSink & { readonly path: string } {
  const { path } = options;
  let fd: number | undefined;
  let closed = false;
  return {
    name: `JSONL log ${path}`,
    path,
    write(record: RequestRecord) {
      if (closed) throw new Error(`The JSONL log ${path} is closed: create a new sink to write again`);
      if (fd === undefined) {
        ensureDirectory(dirname(path));
        fd = openSync(path, "a");
      }
      const line = Buffer.from(`${JSON.stringify(record)}\n`);
      let written = 0;
      // A short write is rare (a full disk mid-line); finish the line rather than leave half of it.
      while (written < line.length) written += writeSync(fd, line, written, line.length - written);
    },
    close() {
      closed = true;
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

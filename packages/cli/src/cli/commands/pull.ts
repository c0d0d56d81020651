import type { Command } from "commander";
import { isModelError } from "llmstream";
import { type CommandIo, processIo } from "../CommandIo.js";
import { ExitCode } from "../exitCodes.js";
import { inCliTerms } from "../inCliTerms.js";
import { formatBytes } from "./models.js";

const helpText = `
Downloads a GGUF model into the models folder (LLMSTREAM_MODELS_DIR, else <user cache dir>/llmstream/models).
The file is written to <name>.part first: an interrupted download resumes from there (HTTP Range) when
you run the same command again (also after 60 s without data from the server, when pull gives up).
The GGUF header is checked, then the file is renamed into place.
The sha256 of the result is always printed; with --sha256 it must match or the download is deleted.

Sources:
  https://host/path/model.gguf
  hf:<owner>/<repo>/<path/to/file.gguf>   → https://huggingface.co/<owner>/<repo>/resolve/main/<path>
                                            (LLMSTREAM_HF_ENDPOINT replaces https://huggingface.co)

Exit codes: 0 success, 1 failure (network, checksum, not GGUF), 4 HTTP error status, 130 interrupted.

Example:
  $ llmstream pull hf:ggml-org/models/tinyllamas/stories260K.gguf
`;

/** Registers `llmstream pull <source> [--sha256 <hex>] [--models-dir <dir>]` on `program`. */
export function registerPullCommand(
  program: Command,
  exit: { code: number },
  io: CommandIo = processIo(),
): Command {
  return program
    .command("pull")
    .description("Download a GGUF model (URL or hf: URI) with progress, resume and checksum")
    .argument("<source>", "an http(s) URL or hf:<owner>/<repo>/<file.gguf>")
    .option("--sha256 <hex>", "the expected sha256; a mismatch deletes the download")
    .option("--models-dir <dir>", "the models folder (default: LLMSTREAM_MODELS_DIR or the user cache dir)")
    .addHelpText("after", helpText)
    .action(async (source: string, options: { sha256?: string; modelsDir?: string }) => {
      exit.code = await runPull(source, options, io);
    });
}

async function runPull(
  source: string,
  options: { sha256?: string; modelsDir?: string },
  io: CommandIo,
): Promise<number> {
  const { pullModel } = await import("@llmstream/engine");
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error("interrupted"));
  process.once("SIGINT", onSigint);
  const bar = io.stderr.isTTY === true ? createProgressBar(io.stderr) : undefined;
  try {
    const result = await pullModel(source, {
      env: io.env,
      signal: controller.signal,
      ...(options.modelsDir === undefined ? {} : { modelsDir: options.modelsDir }),
      ...(options.sha256 === undefined ? {} : { sha256: options.sha256 }),
      ...(bar === undefined ? {} : { onProgress: bar.update }),
    });
    bar?.done();
    const resumed =
      result.resumedFromBytes > 0 ? `, resumed after ${formatBytes(result.resumedFromBytes)}` : "";
    const what = result.alreadyPresent ? "Already present" : "Saved";
    io.stdout.write(
      `${what}: ${result.file} (${formatBytes(result.sizeBytes)}${resumed})\nsha256 ${result.sha256}\n`,
    );
    return ExitCode.ok;
  } catch (error) {
    bar?.done();
    if (controller.signal.aborted) {
      io.stderr.write("llmstream pull: interrupted; run the same command again to resume\n");
      return ExitCode.interrupted;
    }
    io.stderr.write(
      `llmstream pull: ${inCliTerms(error instanceof Error ? error.message : String(error))}\n`,
    );
    return isModelError(error) && error.status !== undefined ? ExitCode.http : ExitCode.failure;
  } finally {
    process.removeListener("SIGINT", onSigint);
  }
}

/**
 * A one-line progress bar, redrawn at most every 100 ms (terminals only). The rate counts only the
 * bytes received by this run, not those resumed from the `.part` file.
 */
export function createProgressBar(
  stream: { write(text: string): unknown },
  clock: () => number = () => performance.now(),
): {
  update: (progress: {
    receivedBytes: number;
    totalBytes: number | undefined;
    resumedFromBytes: number;
  }) => void;
  done: () => void;
} {
  const startedAt = clock();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update({ receivedBytes, totalBytes, resumedFromBytes }) {
      const now = clock();
      if (now - lastDraw < 100 && receivedBytes !== totalBytes) return;
      lastDraw = now;
      drawn = true;
      const rate = (receivedBytes - resumedFromBytes) / Math.max((now - startedAt) / 1000, 0.001);
      const width = 30;
      const fraction = totalBytes === undefined || totalBytes === 0 ? undefined : receivedBytes / totalBytes;
      const bar =
        fraction === undefined
          ? ""
          : `[${"#".repeat(Math.round(fraction * width)).padEnd(width, ".")}] ${(fraction * 100).toFixed(0).padStart(3)}% `;
      const total = totalBytes === undefined ? "" : ` / ${formatBytes(totalBytes)}`;
      stream.write(`\r${bar}${formatBytes(receivedBytes)}${total}  ${formatBytes(rate)}/s\u001b[K`);
    },
    done() {
      if (drawn) stream.write("\n");
      drawn = false;
    },
  };
}

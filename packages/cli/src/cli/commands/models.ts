import type { ModelListing } from "@llmstream/engine";
import type { Command } from "commander";
import { formatTable } from "../../format/formatTable.js";
import { type CommandIo, processIo } from "../CommandIo.js";
import { ExitCode } from "../exitCodes.js";
import { inCliTerms } from "../inCliTerms.js";
import { listServerModels, ServerModelsError } from "./listServerModels.js";

const helpText = `
Lists the GGUF models the embedded engine can use: the .gguf files in the models folder, plus the
file chosen by LLMSTREAM_MODEL_FILE or the development fallback. The default one is marked with *.
Details come from each file's GGUF header; the models are not loaded.

Models folder: LLMSTREAM_MODELS_DIR, else <user cache dir>/llmstream/models
  ($XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows).
Development fallback: ../shared/models/stories260K.gguf beside the package, when it exists.

With --base-url, lists the models a server offers instead (GET <url>/models; with --protocol ollama,
GET <url>/api/tags). Exit codes as for chat: 3 nothing answered, 4 HTTP error, 5 timeout (10 s),
6 not a model list.

Examples:
  $ llmstream models
  $ llmstream models --json | jq -r '.[].file'
  $ llmstream models --base-url http://localhost:11434/v1
  $ llmstream models --protocol ollama --base-url http://localhost:11434
`;

/** Registers `llmstream models [--json] [--models-dir <dir>]` on `program`. */
export function registerModelsCommand(
  program: Command,
  exit: { code: number },
  io: CommandIo = processIo(),
): Command {
  return program
    .command("models")
    .description("List local GGUF models for the embedded engine (or, with --base-url, a server's models)")
    .option("--json", "print a JSON array instead of a table")
    .option("--models-dir <dir>", "the models folder (default: LLMSTREAM_MODELS_DIR or the user cache dir)")
    .option("--base-url <url>", "list the models of the server at this URL instead of local files")
    .option("--protocol <protocol>", 'with --base-url: "openai" (GET /models) or "ollama" (GET /api/tags)')
    .option("--api-key <key>", "with --base-url: API key sent as a bearer token (default: OPENAI_API_KEY)")
    .addHelpText("after", helpText)
    .action(async (options: ModelsFlags) => {
      exit.code = await (options.baseUrl !== undefined || options.protocol !== undefined
        ? printServerModels(options, io)
        : printLocalModels(options, io));
    });
}

async function printLocalModels(options: ModelsFlags, io: CommandIo): Promise<number> {
  try {
    const { listModels } = await import("@llmstream/engine");
    const listings = (
      await listModels({
        env: io.env,
        ...(options.modelsDir === undefined ? {} : { modelsDir: options.modelsDir }),
      })
    ).map((listing) =>
      listing.error === undefined ? listing : { ...listing, error: inCliTerms(listing.error) },
    );
    if (options.json === true) io.stdout.write(`${JSON.stringify(listings, null, 2)}\n`);
    else io.stdout.write(formatModelTable(listings, options.modelsDir ?? (await modelsDirOf(io.env))));
    return ExitCode.ok;
  } catch (error) {
    io.stderr.write(
      `llmstream models: ${inCliTerms(error instanceof Error ? error.message : String(error))}\n`,
    );
    return ExitCode.failure;
  }
}

interface ModelsFlags {
  json?: boolean;
  modelsDir?: string;
  baseUrl?: string;
  protocol?: string;
  apiKey?: string;
}

async function printServerModels(options: ModelsFlags, io: CommandIo): Promise<number> {
  const protocol = options.protocol ?? "openai";
  if ((protocol !== "openai" && protocol !== "ollama") || options.baseUrl === undefined) {
    io.stderr.write(
      `llmstream models: ${options.baseUrl === undefined ? "--protocol needs --base-url <url>" : `--protocol must be "openai" or "ollama", got "${protocol}"`} (see llmstream models --help)\n`,
    );
    return ExitCode.usage;
  }
  const apiKey = options.apiKey ?? io.env.OPENAI_API_KEY;
  try {
    const models = await listServerModels({
      baseURL: options.baseUrl,
      protocol,
      ...(apiKey === undefined || apiKey === "" ? {} : { apiKey }),
    });
    if (options.json === true) io.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
    else if (models.length === 0) io.stdout.write(`The server at ${options.baseUrl} lists no models.\n`);
    else {
      // Ollama lists sizes, OpenAI-compatible servers do not: the column is there when any row has one.
      const sizes = models.some((model) => model.sizeBytes !== undefined);
      const rows = models.map((model) => [
        model.id,
        ...(sizes ? [model.sizeBytes === undefined ? "" : formatBytes(model.sizeBytes).padStart(9)] : []),
        model.ownedBy ?? model.modifiedAt ?? "",
      ]);
      io.stdout.write(`${formatTable(rows, { align: ["left", sizes ? "right" : "left"] }).join("\n")}\n`);
    }
    return ExitCode.ok;
  } catch (error) {
    io.stderr.write(`llmstream models: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof ServerModelsError ? error.exitCode : ExitCode.failure;
  }
}

async function modelsDirOf(env: NodeJS.ProcessEnv): Promise<string> {
  const { defaultModelsDir } = await import("@llmstream/engine");
  return defaultModelsDir(env);
}

/** The table `llmstream models` prints, or a hint on how to get a model when there is none. */
export function formatModelTable(listings: readonly ModelListing[], modelsDir: string): string {
  if (listings.length === 0) {
    return `No models found in ${modelsDir}.\nDownload one with: llmstream pull hf:<owner>/<repo>/<file.gguf>\n`;
  }
  const header = ["", "MODEL", "SIZE", "ARCH", "PARAMS", "CONTEXT", "CHAT TEMPLATE", "TYPE", "PATH"];
  const rows = listings.map((listing) => [
    listing.default ? "*" : "",
    (listing.file.split(/[\\/]/).pop() ?? listing.file).replace(/\.gguf$/i, ""),
    listing.sizeBytes === undefined ? "-" : formatBytes(listing.sizeBytes),
    listing.error === undefined ? (listing.architecture ?? "?") : "ERROR",
    listing.parameterCount === undefined ? "-" : formatCount(listing.parameterCount),
    listing.contextLength === undefined ? "-" : String(listing.contextLength),
    listing.hasChatTemplate === undefined ? "-" : listing.hasChatTemplate ? "yes" : "no (plain completion)",
    listing.fileType ?? "-",
    listing.file,
  ]);
  const lines = formatTable([header, ...rows]);
  const errors = listings
    .filter((listing) => listing.error !== undefined)
    .map((listing) => `! ${listing.error}`);
  return `${[...lines, ...errors].join("\n")}\n`;
}

/** 1185376 → "1.2 MB" (decimal units, like download sizes). */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** 260000 → "260K", 7_000_000_000 → "7.0B". */
export function formatCount(count: number): string {
  if (count >= 1e9) return `${(count / 1e9).toFixed(1)}B`;
  if (count >= 1e6) return `${(count / 1e6).toFixed(1)}M`;
  if (count >= 1e3) return `${Math.round(count / 1e3)}K`;
  return String(count);
}

import { availableParallelism } from "node:os";
import type { Command } from "commander";
import type { FinishInfo } from "llmstream";
import type { Backend } from "../../server/Backend.js";
import type { RequestEndInfo } from "../../server/createServeApp.js";
import type { UpstreamConfig } from "../../server/parseUpstream.js";
import { type CommandIo, processIo } from "../CommandIo.js";
import { ExitCode } from "../exitCodes.js";
import { inCliTerms, serveTerms } from "../inCliTerms.js";

/**
 * The server, engine, log and metrics modules, loaded only when `serve` runs: every other command
 * (and `--help`) starts without them.
 */
async function loadServeModules() {
  const [engine, log, engineBackend, relayBackend, app, upstream, node, web] = await Promise.all([
    import("@llmstream/engine"),
    import("@llmstream/log"),
    import("../../server/createEngineBackend.js"),
    import("../../server/createRelayBackend.js"),
    import("../../server/createServeApp.js"),
    import("../../server/parseUpstream.js"),
    import("../../server/serveNode.js"),
    import("../../web/createPageHandler.js"),
  ]);
  return {
    ...engine,
    ...log,
    ...engineBackend,
    ...relayBackend,
    ...app,
    ...upstream,
    ...node,
    ...web,
  };
}

const helpText = `
Serves the OpenAI API (POST /v1/chat/completions, /v1/completions, /v1/responses; GET /v1/models,
/health, /metrics) over the embedded engine, or as a relay in front of upstream servers, and a chat
page at / (open the printed URL without /v1 in a browser).

With neither --model-file nor --upstream it runs the embedded engine with the same model resolution
as chat (LLMSTREAM_MODEL_FILE, the newest model in LLMSTREAM_MODELS_DIR, the development model).
With --upstream (repeatable, [name=][openai+|ollama+|responses+]URL; a URL with a path such as /v1
is OpenAI-compatible, a bare origin is Ollama's native API) each request goes to the healthy
upstream with the fewest requests in flight, failing over until the first token.

stdout gets exactly one line, the base URL; logs go to stderr. Ctrl-C or SIGTERM stops accepting,
lets open streams finish for --grace seconds, then ends them with an in-band error and exits 0.

Security: binds 127.0.0.1 unless --host says otherwise; --api-key (or LLMSTREAM_API_KEY) requires
"Authorization: Bearer KEY"; Host headers other than loopback, the bound address and --allowed-host
are refused (403, DNS rebinding); CORS is closed unless --cors-origin; bodies over --max-body get 413.

Exit codes: 0 stopped by a signal, 1 model or listen failure, 2 usage error.

Examples:
  $ llmstream serve
  $ llmstream serve --model-file ../shared/models/stories260K.gguf --port 0 --parallel 2
  $ llmstream serve --upstream a=http://127.0.0.1:8081/v1 --upstream b=http://127.0.0.1:11434
  $ llmstream serve --host 0.0.0.0 --api-key "$KEY" --allowed-host llm.lan --cors-origin http://llm.lan
  $ curl -N http://127.0.0.1:8080/v1/chat/completions -d '{"model":"stories260K","stream":true,"messages":[{"role":"user","content":"Once upon a time"}]}'
`;

/** The raw flags as commander gives them. */
interface RawServeOptions {
  modelFile?: string;
  upstream?: string[];
  host: string;
  port: string;
  apiKey?: string;
  parallel?: string;
  queue?: string;
  corsOrigin?: string[];
  allowedHost?: string[];
  maxBody?: string;
  maxTokensCap?: string;
  threads?: string;
  grace?: string;
  upstreamFirstTokenTimeout?: string;
  upstreamIdleTimeout?: string;
  upstreamConnectTimeout?: string;
  log: boolean;
  logFile?: string;
  jsonLog?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Registers `llmstream serve`. */
export function registerServeCommand(
  program: Command,
  exit: { code: number },
  io: CommandIo = processIo(),
): Command {
  return program
    .command("serve")
    .description("Serve an OpenAI-compatible streaming API over the embedded engine or upstream servers")
    .option("--model-file <path>", "GGUF model for the embedded engine")
    .option("--upstream <url>", "relay to this server ([name=][protocol+]URL), repeatable", collect)
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <n>", "port to listen on; 0 picks a free one", "8080")
    .option("--api-key <key>", "require this bearer key (default: LLMSTREAM_API_KEY)")
    .option("--parallel <n>", "engine generations at once (default: by model size and cores)")
    .option("--queue <n>", "requests that may wait for an engine slot before 429 (default: 16)")
    .option(
      "--cors-origin <origin>",
      "allow this browser origin (repeatable; * for any, never with credentials)",
      collect,
    )
    .option("--allowed-host <host>", "accept this Host header besides loopback (repeatable)", collect)
    .option("--max-body <bytes>", "largest request body (default: 4194304)")
    .option("--max-tokens-cap <n>", "lower max_tokens to at most this (and use it when none is sent)")
    .option("--threads <n>", "CPU threads per engine generation (default: by model size)")
    .option("--grace <seconds>", "on SIGTERM, how long open streams may finish (default: 10)")
    .option(
      "--upstream-first-token-timeout <seconds>",
      "relay: fail a request with no first token this long, failing over first (default: 120)",
    )
    .option("--upstream-idle-timeout <seconds>", "relay: fail a stream silent this long (default: 60)")
    .option(
      "--upstream-connect-timeout <seconds>",
      "relay: give up connecting to an upstream after this long, failing over (default: 10)",
    )
    .option("--no-log", "do not record requests in the request log (see llmstream logs)")
    .option("--log-file <path>", "also append each request as a JSON line to this file")
    .option("--json-log", "write the access log on stderr as JSON lines")
    .addHelpText("after", helpText)
    .action(async (raw: RawServeOptions) => {
      exit.code = await runServe(raw, io);
    });
}

function usage(io: CommandIo, message: string): number {
  io.stderr.write(`llmstream serve: ${message}\n`);
  return ExitCode.usage;
}

/** A flag's number: a count must be whole, seconds may be fractional. */
function parseNumber(
  value: string | undefined,
  flag: string,
  min: number,
  unit: "count" | "seconds",
): number | undefined | Error {
  if (value === undefined) return undefined;
  const n = Number(value);
  const whole = unit === "count";
  if (value.trim() === "" || !Number.isFinite(n) || (whole && !Number.isInteger(n)) || n < min)
    return new Error(
      `${flag} must be a ${whole ? "whole number" : "number"} of at least ${min}, got "${value}"`,
    );
  return n;
}

async function runServe(raw: RawServeOptions, io: CommandIo): Promise<number> {
  const {
    createEngineBackend,
    createOtelServerHook,
    createPageHandler,
    createRelayBackend,
    createRequestLog,
    createServeApp,
    loadEngineModel,
    parseUpstream,
    resolveModelFile,
    serveNode,
    smallModelParameters,
  } = await loadServeModules();
  const numbers: Record<string, number | undefined> = {};
  for (const [key, flag, min, value, unit] of [
    ["port", "--port", 0, raw.port, "count"],
    ["parallel", "--parallel", 1, raw.parallel, "count"],
    ["queue", "--queue", 0, raw.queue, "count"],
    ["maxBody", "--max-body", 1, raw.maxBody, "count"],
    ["maxTokensCap", "--max-tokens-cap", 1, raw.maxTokensCap, "count"],
    ["threads", "--threads", 1, raw.threads, "count"],
    ["grace", "--grace", 0, raw.grace, "seconds"],
    ["idle", "--upstream-idle-timeout", 0.001, raw.upstreamIdleTimeout, "seconds"],
    ["firstToken", "--upstream-first-token-timeout", 0.001, raw.upstreamFirstTokenTimeout, "seconds"],
    ["connect", "--upstream-connect-timeout", 0.001, raw.upstreamConnectTimeout, "seconds"],
  ] as const) {
    const parsed = parseNumber(value, flag, min, unit);
    if (parsed instanceof Error) return usage(io, parsed.message);
    numbers[key] = parsed;
  }
  if ((numbers.port ?? 0) > 65_535) return usage(io, `--port must be at most 65535, got "${raw.port}"`);
  const upstreams: UpstreamConfig[] = [];
  for (const value of raw.upstream ?? []) {
    try {
      upstreams.push(parseUpstream(value));
    } catch (error) {
      return usage(io, inCliTerms((error as Error).message, serveTerms));
    }
  }
  if (upstreams.length > 0 && raw.modelFile !== undefined)
    return usage(io, "give either --model-file (embedded engine) or --upstream (relay), not both");
  const apiKey = raw.apiKey ?? (io.env.LLMSTREAM_API_KEY || undefined);

  const log = createRequestLog({
    source: "serve",
    log: raw.log,
    env: io.env,
    ...(raw.logFile === undefined ? {} : { logFile: raw.logFile }),
    onSinkError: ({ message }) => io.stderr.write(`llmstream: ${inCliTerms(message, serveTerms)}\n`),
  });
  const otel = createOtelServerHook({ providerName: "llmstream" });
  // The log and OTel run after the stream, never inside it; shutdown waits for the pending writes.
  const pendingWrites = new Set<Promise<void>>();
  const onFinish = (info: FinishInfo, upstream?: string) => {
    const write = new Promise<void>((resolve) =>
      setImmediate(() => {
        log.onFinish(info, upstream === undefined ? undefined : { upstream });
        otel(info);
        resolve();
      }),
    );
    pendingWrites.add(write);
    void write.then(() => pendingWrites.delete(write));
  };
  const drainLog = async () => {
    // A stream aborted by the shutdown reports its finish a moment after the response ended.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await Promise.all(pendingWrites);
    await log.close();
  };

  let backend: Backend;
  let description: string;
  if (upstreams.length > 0) {
    backend = createRelayBackend({
      upstreams,
      timeouts: {
        connectMs: (numbers.connect ?? 10) * 1000,
        firstTokenMs: (numbers.firstToken ?? 120) * 1000,
        idleMs: (numbers.idle ?? 60) * 1000,
      },
      onFinish,
    });
    description = `relay: ${upstreams.map((u) => `${u.name} (${u.protocol})`).join(", ")}`;
  } else {
    const modelFile = await resolveModelFile({
      env: io.env,
      ...(raw.modelFile === undefined ? {} : { modelFile: raw.modelFile }),
    });
    if (modelFile === undefined) {
      io.stderr.write(
        "llmstream serve: no model file found: pass --model-file, set LLMSTREAM_MODEL_FILE, or download one with llmstream pull\n",
      );
      return ExitCode.failure;
    }
    let parameterCount: number;
    try {
      parameterCount = (await loadEngineModel(modelFile)).info.parameterCount;
    } catch (error) {
      io.stderr.write(`llmstream serve: ${inCliTerms((error as Error).message, serveTerms)}\n`);
      return ExitCode.failure;
    }
    // Small models run one thread each, so each core can serve one request; big ones use every core.
    const parallel =
      numbers.parallel ?? (parameterCount < smallModelParameters ? Math.max(1, availableParallelism()) : 1);
    backend = createEngineBackend({
      modelFile,
      parallel,
      queue: numbers.queue ?? 16,
      ...(numbers.threads === undefined ? {} : { threads: numbers.threads }),
      onFinish,
    });
    description = `engine: ${modelFile.split(/[\\/]/).pop()}, ${parallel} slot${parallel === 1 ? "" : "s"}`;
  }

  const app = createServeApp({
    backend,
    bindHost: raw.host,
    ...(apiKey === undefined ? {} : { apiKey }),
    allowedHosts: raw.allowedHost ?? [],
    corsOrigins: raw.corsOrigin ?? [],
    ...(numbers.maxBody === undefined ? {} : { maxBodyBytes: numbers.maxBody }),
    ...(numbers.maxTokensCap === undefined ? {} : { maxTokensCap: numbers.maxTokensCap }),
    onRequestEnd: (info) => accessLog(io, info, raw.jsonLog === true),
    settingNames: {
      allowedHosts: "--allowed-host NAME",
      corsOrigins: "--cors-origin",
      maxBodyBytes: "--max-body",
      timeouts: {
        firstTokenMs: "--upstream-first-token-timeout",
        idleMs: "--upstream-idle-timeout",
        connectMs: "--upstream-connect-timeout",
      },
    },
    pageHandler: createPageHandler(),
  });
  let server: Awaited<ReturnType<typeof serveNode>>;
  try {
    server = await serveNode(app, { host: raw.host, port: numbers.port ?? 8080 });
  } catch (error) {
    io.stderr.write(
      `llmstream serve: could not listen on ${raw.host}:${raw.port}: ${(error as Error).message}\n`,
    );
    await backend.close();
    return ExitCode.failure;
  }
  if ((raw.host === "0.0.0.0" || raw.host === "::") && apiKey === undefined) {
    io.stderr.write(
      "llmstream serve: WARNING: listening on every network interface WITHOUT an API key: anyone who can reach this machine can use it. Pass --api-key (or LLMSTREAM_API_KEY), or --host 127.0.0.1\n",
    );
  }
  // The handlers go in before the one stdout line: whoever reads it may signal at once.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      io.stderr.write("llmstream serve: stopping: no new connections, letting open streams finish\n");
      server.stopAccepting();
      void app
        .shutdown({ graceMs: (numbers.grace ?? 10) * 1000 })
        .finally(() => server.close())
        .finally(drainLog)
        .finally(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  io.stdout.write(`llmstream serve: ${server.url}/v1 (${description})\n`);
  io.stderr.write(`llmstream serve: listening; GET ${server.url}/health, Ctrl-C stops it\n`);
  await stopped;
  return ExitCode.ok;
}

function accessLog(io: CommandIo, info: RequestEndInfo, json: boolean): void {
  const line = json
    ? JSON.stringify({
        time: new Date().toISOString(),
        endpoint: info.endpoint,
        status: info.status,
        outcome: info.outcome,
        ...(info.upstream === undefined ? {} : { upstream: info.upstream }),
        ...(info.error === undefined ? {} : { error: info.error.message }),
      })
    : `llmstream serve: ${info.endpoint} ${info.status} ${info.outcome}${info.upstream === undefined ? "" : ` via ${info.upstream}`}${info.error === undefined ? "" : `: ${info.error.message}`}`;
  io.stderr.write(`${line}\n`);
}

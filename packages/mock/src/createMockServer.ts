import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { builtinScenarios } from "./builtinScenarios.js";
import type { MockRequestRecord } from "./MockRequestRecord.js";
import { runSteps } from "./runSteps.js";
import type { MockApi, Scenario, ScenarioResponse } from "./Scenario.js";

/** A running mock server. See packages/mock/README.md for the scenario table. */
export interface MockServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `url + "/v1"`, for OpenAI-style clients. */
  baseURL: string;
  /** Every request in arrival order (including `/v1/models` and unknown paths). */
  requests: MockRequestRecord[];
  /** The next chat requests get these scenarios (a scenario or a registered name), first in first out. */
  enqueue(...scenarios: (Scenario | string)[]): void;
  /** Resolves with request `index` once it arrived (body read). @defaultValue index 0, timeout 5000 ms */
  waitForRequest(index?: number, options?: { timeoutMs?: number }): Promise<MockRequestRecord>;
  /** Resolves once the connection of request `index` closed, by either side. @defaultValue timeout 5000 ms */
  waitForClose(index: number, options?: { timeoutMs?: number }): Promise<MockRequestRecord>;
  /** Stops listening, destroys all sockets and rejects pending waits. */
  close(): Promise<void>;
}

/** Options of {@link createMockServer}. */
export interface MockServerOptions {
  /** @defaultValue 0 (an ephemeral port) */
  port?: number;
  /** @defaultValue "127.0.0.1" */
  host?: string;
  /** Answers chat requests when no scenario is named or queued. @defaultValue builtinScenarios.ok */
  defaultScenario?: Scenario;
  /** Extra named scenarios, selectable like the built-ins (they override built-ins of the same name). */
  scenarios?: Record<string, Scenario>;
  /** Larger request bodies are answered with 413 and recorded with an empty body. @defaultValue 8 MiB */
  maxRequestBytes?: number;
}

/** Default request body limit; chat requests are far smaller. */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
const DEFAULT_WAIT_MS = 5000;
const now = () => performance.timeOrigin + performance.now();

const json = (status: number, body: unknown): ScenarioResponse => ({
  status,
  headers: { "content-type": "application/json" },
  steps: [{ write: JSON.stringify(body) }],
});

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (part: Buffer) => {
      size += part.byteLength;
      if (size <= limit) parts.push(part);
    });
    req.on("end", () => resolve(size > limit ? undefined : Buffer.concat(parts).toString("utf8")));
    req.on("error", () => resolve(""));
  });
}

function parseJson(text: string): unknown {
  try {
    return text === "" ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Starts a fault-injecting mock LLM server on 127.0.0.1 that speaks OpenAI chat-completions SSE
 * (`POST /v1/chat/completions`, `GET /v1/models`), the OpenAI Responses API (`POST /v1/responses`)
 * and Ollama NDJSON (`POST /api/chat`, `GET /api/tags`).
 *
 * A request picks its scenario by, in order: the path prefix `/s/<name>/…`, the header
 * `x-mock-scenario: <name>`, the {@link MockServer.enqueue} queue, the default scenario.
 *
 * @example
 * ```ts
 * const mock = await createMockServer();
 * mock.enqueue("truncated");
 * const response = await fetch(`${mock.baseURL}/chat/completions`, { method: "POST", body: "{}" });
 * await mock.close();
 * ```
 */
export async function createMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const registry = new Map<string, Scenario>(Object.entries({ ...builtinScenarios, ...options.scenarios }));
  const namesByScenario = new Map<Scenario, string>();
  for (const [name, scenario] of registry) namesByScenario.set(scenario, name);
  const defaultScenario = options.defaultScenario ?? builtinScenarios.ok;
  const maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const queue: (Scenario | string)[] = [];
  const attempts = new Map<string | Scenario, number>();
  const requests: MockRequestRecord[] = [];
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };

  const pickScenario = (
    explicit: string | undefined,
    chat: boolean,
  ): { scenario: Scenario; name: string } | { error: string } => {
    const chosen = explicit ?? (chat ? queue.shift() : undefined) ?? defaultScenario;
    if (typeof chosen === "string") {
      const scenario = registry.get(chosen);
      if (scenario === undefined) {
        return {
          error: `Unknown mock scenario "${chosen}". Known scenarios: ${[...registry.keys()].join(", ")}`,
        };
      }
      return { scenario, name: chosen };
    }
    return { scenario: chosen, name: namesByScenario.get(chosen) ?? "custom" };
  };

  const route = (record: MockRequestRecord, rest: string, explicit: string | undefined): ScenarioResponse => {
    const { method } = record;
    if (method === "GET" && (rest === "/v1/models" || rest === "/models")) {
      return json(200, {
        object: "list",
        data: [{ id: "mock-model", object: "model", created: 1_700_000_000, owned_by: "llmstream-mock" }],
      });
    }
    if (method === "GET" && rest === "/api/tags") {
      return json(200, { models: [{ name: "mock-model:latest", model: "mock-model:latest", size: 0 }] });
    }
    let api: MockApi;
    if (method === "POST" && (rest === "/v1/chat/completions" || rest === "/chat/completions"))
      api = "openai";
    else if (method === "POST" && rest === "/api/chat") api = "ollama";
    else if (method === "POST" && (rest === "/v1/responses" || rest === "/responses")) api = "responses";
    else return json(404, { error: { message: `No mock route for ${method} ${rest}`, type: "not_found" } });

    const picked = pickScenario(explicit, true);
    if ("error" in picked)
      return json(400, { error: { message: picked.error, type: "invalid_request_error" } });
    record.scenario = picked.name;
    const key = picked.name === "custom" ? picked.scenario : picked.name;
    const attempt = attempts.get(key) ?? 0;
    attempts.set(key, attempt + 1);
    const { scenario } = picked;
    return typeof scenario === "function" ? scenario({ api, request: record, attempt }) : scenario;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const closed = new AbortController();
    req.on("error", () => {});
    res.on("error", () => {});
    const rawPath = (req.url ?? "/").split("?")[0] ?? "/";
    const prefixed = /^\/s\/([^/]+)(\/.*)$/.exec(rawPath);
    const header = req.headers["x-mock-scenario"];
    const explicit = prefixed?.[1] ?? (typeof header === "string" && header !== "" ? header : undefined);
    const rawBody = await readBody(req, maxRequestBytes);
    const record: MockRequestRecord = {
      index: requests.length,
      method: req.method ?? "GET",
      path: rawPath,
      headers: req.headers,
      body: parseJson(rawBody ?? ""),
      rawBody: rawBody ?? "",
      scenario: "none",
      startedAt: now(),
      status: undefined,
      writes: 0,
      bytesWritten: 0,
      clientClosedEarly: false,
      serverDestroyed: false,
      closedAt: undefined,
    };
    requests.push(record);
    const onClose = () => {
      record.closedAt = now();
      record.clientClosedEarly = !res.writableEnded && !record.serverDestroyed;
      closed.abort();
      notify();
    };
    if (res.closed) onClose();
    else res.on("close", onClose);
    notify();
    let response: ScenarioResponse;
    if (rawBody === undefined) {
      response = json(413, { error: { message: `Request body over ${maxRequestBytes} bytes` } });
    } else {
      try {
        response = route(record, prefixed?.[2] ?? rawPath, explicit);
      } catch (error) {
        response = json(500, { error: { message: `Mock scenario failed: ${String(error)}` } });
      }
    }
    await runSteps(res, response, record, closed.signal);
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let closing = false;

  const waitUntil = <T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found !== undefined) settle(() => resolve(found));
        else if (closing) settle(() => reject(new Error(`Mock server closed while waiting for ${what}`)));
      };
      const settle = (action: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        action();
      };
      const timer = setTimeout(
        () =>
          settle(() =>
            reject(
              new Error(
                `Timed out after ${timeoutMs} ms waiting for ${what} (${requests.length} requests seen)`,
              ),
            ),
          ),
        timeoutMs,
      );
      listeners.add(check);
      check();
    });

  return {
    url,
    baseURL: `${url}/v1`,
    requests,
    enqueue(...scenarios) {
      queue.push(...scenarios);
    },
    waitForRequest(index = 0, waitOptions = {}) {
      return waitUntil(() => requests[index], waitOptions.timeoutMs ?? DEFAULT_WAIT_MS, `request #${index}`);
    },
    waitForClose(index, waitOptions = {}) {
      return waitUntil(
        () => {
          const record = requests[index];
          return record?.closedAt === undefined ? undefined : record;
        },
        waitOptions.timeoutMs ?? DEFAULT_WAIT_MS,
        `request #${index} to close`,
      );
    },
    close() {
      closing = true;
      notify();
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

import { randomUUID } from "node:crypto";
import type { StreamEvent } from "llmstream";
import { ApiError, errorReply, errorResponse } from "./ApiError.js";
import { type AppReply, type AppRequest, directRoutes } from "./AppRequest.js";
import type { Backend, GenerationOutcome } from "./Backend.js";
import { completeBody } from "./completeBody.js";
import { createChatChunkEncoder } from "./createChatChunkEncoder.js";
import { createCompletionChunkEncoder } from "./createCompletionChunkEncoder.js";
import { createResponsesEncoder } from "./createResponsesEncoder.js";
import { createServeMetrics, type ServeMetrics } from "./createServeMetrics.js";
import type { Endpoint } from "./GenerationRequest.js";
import { parseGenerationRequest } from "./parseGenerationRequest.js";
import { readJsonBody } from "./readJsonBody.js";
import { corsHeaders, createBearerCheck, isAllowedHost } from "./requestGuards.js";
import { SseBody, sseResponse } from "./SseBody.js";
import type { EncoderContext, StreamEncoder } from "./StreamEncoder.js";
import { type TimeoutSettingNames, toApiError } from "./toApiError.js";

/** Options of {@link createServeApp}. */
export interface ServeAppOptions {
  backend: Backend;
  /** Requires `Authorization: Bearer <apiKey>` on `/v1/*` and `/metrics`. */
  apiKey?: string;
  /** Host header values accepted besides loopback names and the bound address. */
  allowedHosts?: readonly string[];
  /** The address the server listens on (accepted as a Host header unless it is a wildcard). */
  bindHost?: string;
  /** Origins allowed by CORS; none by default. */
  corsOrigins?: readonly string[];
  /** Largest request body. @defaultValue 4 MiB */
  maxBodyBytes?: number;
  /** Caps `max_tokens`; requests without one get it. */
  maxTokensCap?: number;
  /**
   * How long the status line is held for a streamed request that has no first result yet; after
   * that a 200 is sent and the wait is filled with `: ping` comments. @defaultValue 5000
   */
  statusHoldMs?: number;
  /** The quiet time after which a `: ping` comment is written. @defaultValue 5000 */
  pingIntervalMs?: number;
  /** The web chat page: tried for GET requests outside `/v1/*`, `/health` and `/metrics`. */
  pageHandler?: (request: Request) => Promise<Response | undefined>;
  /** Called once per finished request, after the response ended, off the hot path. */
  onRequestEnd?: (info: RequestEndInfo) => void;
  /**
   * How refusals name the settings that would let the request through (e.g. a CLI's flags).
   * @defaultValue the option names above: `NAME in allowedHosts`, `corsOrigins`, `maxBodyBytes`
   */
  settingNames?: {
    allowedHosts?: string;
    corsOrigins?: string;
    maxBodyBytes?: string;
    /** The backend's timeouts, named in a 504's advice. @defaultValue `timeouts.firstTokenMs` etc. */
    timeouts?: TimeoutSettingNames;
  };
}

/** What {@link ServeAppOptions.onRequestEnd} receives. */
export interface RequestEndInfo {
  endpoint: Endpoint;
  status: number;
  outcome: "ok" | "error" | "aborted";
  upstream?: string;
  error?: ApiError;
}

/** The server as a web-standard handler (see `serveNode` for the node:http adapter). */
export interface ServeApp {
  fetch(request: Request): Promise<Response>;
  /** The request body limit (the node adapter reads at most one byte more). */
  maxBodyBytes: number;
  backend: Backend;
  metrics: ServeMetrics;
  /** Generations running now. */
  activeRequests(): number;
  /**
   * Lets running requests finish for `graceMs`, then ends the rest with an in-band error (streams)
   * or a 503 (others), and closes the backend.
   */
  shutdown(options: { graceMs: number }): Promise<void>;
}

const defaultMaxBody = 4 * 1024 * 1024;
const generationPaths: Record<string, Endpoint> = {
  "/v1/chat/completions": "chat",
  "/v1/completions": "completions",
  "/v1/responses": "responses",
};

interface Running {
  terminate(error: ApiError): void;
  finished: Promise<void>;
}

/**
 * The OpenAI-compatible server as a `fetch(Request) → Response` function: routing, the security
 * rules (Host allow-list, bearer key, CORS, body limit), validation, and the streaming rules (status
 * held until the first result, errors before it as HTTP errors, after it in-band, `: ping` while
 * waiting). Tests call `app.fetch()` without a network.
 *
 * @example
 * ```ts
 * const app = createServeApp({ backend: createEngineBackend({ modelFile }) });
 * const response = await app.fetch(new Request("http://127.0.0.1/health"));
 * ```
 */
export function createServeApp(options: ServeAppOptions): ServeApp {
  const { backend } = options;
  const metrics = createServeMetrics(backend);
  const checkBearer = options.apiKey === undefined ? undefined : createBearerCheck(options.apiKey);
  const allowedHosts = options.allowedHosts ?? [];
  const corsOrigins = options.corsOrigins ?? [];
  const maxBody = options.maxBodyBytes ?? defaultMaxBody;
  const settingNames = options.settingNames ?? {};
  /** A failure as the HTTP answer, its timeout advice in this server's words. */
  const apiErrorOf = (error: unknown, upstream?: string) =>
    toApiError(error, upstream, settingNames.timeouts);
  const pingIntervalMs = options.pingIntervalMs ?? 5000;
  const statusHoldMs = options.statusHoldMs ?? 5000;
  const running = new Set<Running>();
  let closing = false;

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    const endpoint = generationPaths[path];
    if (endpoint !== undefined && request.method === "POST")
      return toResponse(await serveGeneration(endpoint, webRequest(request, url)));
    const cors = corsHeaders(request.headers.get("origin"), corsOrigins);
    if (!isAllowedHost(request.headers.get("host") ?? url.host, allowedHosts, options.bindHost))
      return errorResponse(hostRefused(settingNames.allowedHosts));
    if (request.method === "OPTIONS") {
      if (cors["access-control-allow-origin"] === undefined)
        return errorResponse(
          new ApiError(403, `This origin is not allowed (see ${settingNames.corsOrigins ?? "corsOrigins"})`, {
            code: "cors_denied",
          }),
        );
      return new Response(null, {
        status: 204,
        headers: {
          ...cors,
          "access-control-allow-methods": "GET, POST, OPTIONS",
          "access-control-allow-headers": "authorization, content-type",
          "access-control-max-age": "600",
        },
      });
    }
    if (path === "/health" && request.method === "GET")
      return json(
        { status: closing ? "shutting_down" : "ok", ...backend.health() },
        cors,
        closing ? 503 : 200,
      );
    const protectedPath = path.startsWith("/v1/") || path === "/metrics";
    if (protectedPath && checkBearer !== undefined && !checkBearer(request.headers.get("authorization")))
      return errorResponse(keyRefused(), { ...cors, "www-authenticate": "Bearer" });
    if (path === "/metrics" && request.method === "GET")
      return new Response(await metrics.registry.metrics(), {
        headers: { "content-type": metrics.registry.contentType, ...cors },
      });
    if (path === "/v1/models" && request.method === "GET") {
      const models = await backend.models();
      return json(
        {
          object: "list",
          data: models.map((m) => ({ id: m.id, object: "model", created: 0, owned_by: m.ownedBy })),
        },
        cors,
      );
    }
    if (endpoint !== undefined)
      return errorResponse(new ApiError(405, `Use POST for ${path}`, { code: "method_not_allowed" }), {
        ...cors,
        allow: "POST",
      });
    if (
      (request.method === "GET" || request.method === "HEAD") &&
      !path.startsWith("/v1/") &&
      options.pageHandler !== undefined
    ) {
      const page = await options.pageHandler(request);
      if (page !== undefined) return page;
    }
    return errorResponse(
      new ApiError(404, `Unknown route ${request.method} ${path}`, { code: "not_found" }),
      cors,
    );
  }

  /**
   * `POST` to a generation path, from `fetch` or straight from the node:http adapter: the same guards
   * in the same order as `handle` (Host, then the key), then the generation.
   */
  async function serveGeneration(endpoint: Endpoint, request: AppRequest): Promise<AppReply> {
    const cors = corsHeaders(request.header("origin"), corsOrigins);
    try {
      if (!isAllowedHost(request.host, allowedHosts, options.bindHost))
        return errorReply(hostRefused(settingNames.allowedHosts), cors);
      if (checkBearer !== undefined && !checkBearer(request.header("authorization")))
        return errorReply(keyRefused(), { ...cors, "www-authenticate": "Bearer" });
      if (closing)
        return errorReply(new ApiError(503, "The server is shutting down", { code: "shutting_down" }), cors);
      return await generate(endpoint, request, cors);
    } catch (error) {
      return errorReply(apiErrorOf(error), cors);
    }
  }

  async function generate(
    endpoint: Endpoint,
    request: AppRequest,
    cors: Record<string, string>,
  ): Promise<AppReply> {
    const parsed = parseGenerationRequest(endpoint, await request.json(maxBody, settingNames.maxBodyBytes), {
      ...(options.maxTokensCap === undefined ? {} : { maxTokensCap: options.maxTokensCap }),
      defaultModel: backend.kind === "engine" ? backend.modelName("") : "",
    });
    const context: EncoderContext = {
      id: `${endpoint === "chat" ? "chatcmpl" : endpoint === "completions" ? "cmpl" : "resp"}-${randomUUID().replaceAll("-", "")}`,
      created: Math.floor(Date.now() / 1000),
      model: backend.modelName(parsed.model),
      includeUsage: parsed.includeUsage,
    };
    // The adapter's own controller when it lends one; else one of ours that follows the client.
    const controller = request.controller ?? new AbortController();
    const onClientGone = () => controller.abort(request.signal.reason);
    const follows = request.controller === undefined;
    if (follows) {
      if (request.signal.aborted) onClientGone();
      else request.signal.addEventListener("abort", onClientGone, { once: true });
    }
    const encoder = parsed.stream ? encoderFor(endpoint, context) : undefined;
    const body = new SseBody();
    body.onCancel = () => controller.abort(new Error("The client stopped reading"));
    /** Set while the status line is held: the first event releases it. */
    let onFirstEvent: (() => void) | undefined;
    let eventCount = 0;
    const onEvent = (event: StreamEvent) => {
      if (encoder === undefined) return;
      if (eventCount++ === 0) {
        body.write(encoder.start());
        onFirstEvent?.();
      }
      body.write(encoder.event(event));
    };
    let terminatedWith: ApiError | undefined;
    let statusSent = false;
    let resolveFinished!: () => void;
    const entry: Running = {
      terminate(error) {
        terminatedWith = error;
        if (encoder !== undefined && statusSent) {
          body.write(encoder.error(error));
          body.end();
        }
        controller.abort(error);
      },
      finished: new Promise<void>((resolve) => {
        resolveFinished = resolve;
      }),
    };
    running.add(entry);
    const generation = backend
      .generate(parsed, { signal: controller.signal, onEvent })
      .catch((error: unknown): GenerationOutcome => ({ result: undefined, error }));
    const finish = (outcome: GenerationOutcome, status: number, apiError: ApiError | undefined) => {
      running.delete(entry);
      if (follows) request.signal.removeEventListener("abort", onClientGone);
      resolveFinished();
      const aborted = controller.signal.aborted && terminatedWith === undefined;
      const result = outcome.result;
      // Metrics and the end hook run after the response ended, never inside the stream.
      setImmediate(() => {
        metrics.observe({
          endpoint,
          status,
          outcome: aborted ? "aborted" : apiError === undefined ? "ok" : "error",
          ...(outcome.upstream === undefined ? {} : { upstream: outcome.upstream }),
          e2eMs: result?.metrics.e2eMs ?? 0,
          ...(result?.metrics.ttftMs === undefined ? {} : { ttftMs: result.metrics.ttftMs }),
          ...(result?.metrics.tpotMs === undefined ? {} : { tpotMs: result.metrics.tpotMs }),
          ...(result === undefined
            ? {}
            : { promptTokens: result.usage.promptTokens, completionTokens: result.usage.completionTokens }),
        });
        options.onRequestEnd?.({
          endpoint,
          status,
          outcome: aborted ? "aborted" : apiError === undefined ? "ok" : "error",
          ...(outcome.upstream === undefined ? {} : { upstream: outcome.upstream }),
          ...(apiError === undefined ? {} : { error: apiError }),
        });
      });
    };
    const failureOf = (outcome: GenerationOutcome) =>
      terminatedWith ??
      (outcome.error === undefined ? undefined : apiErrorOf(outcome.error, outcome.upstream));

    if (encoder === undefined) {
      const outcome = await generation;
      // Nobody reads this answer; 499 (nginx's "client closed request") keeps the metrics honest.
      const apiError =
        failureOf(outcome) ??
        (controller.signal.aborted
          ? new ApiError(499, "The client closed the request", {
              type: "server_error",
              code: "client_closed",
            })
          : undefined);
      if (apiError !== undefined || outcome.result === undefined) {
        const error = apiError ?? new ApiError(500, "The generation ended without a result");
        finish(outcome, error.status, error);
        return errorReply(error, cors);
      }
      finish(outcome, 200, undefined);
      return jsonReply(completeBody(endpoint, context, outcome.result), cors);
    }

    // Hold the status line until the first result, the end, or statusHoldMs.
    let holdTimer: NodeJS.Timeout | undefined;
    const held =
      eventCount > 0
        ? "event"
        : await new Promise<"event" | "end" | "timeout">((resolve) => {
            onFirstEvent = () => resolve("event");
            void generation.then(() => resolve("end"));
            holdTimer = setTimeout(() => resolve("timeout"), statusHoldMs);
          });
    onFirstEvent = undefined;
    clearTimeout(holdTimer);
    if (held === "end" && eventCount === 0) {
      const outcome = await generation;
      const apiError = failureOf(outcome);
      if (apiError !== undefined) {
        finish(outcome, apiError.status, apiError);
        return errorReply(apiError, cors);
      }
    }
    statusSent = true;
    const ping = setInterval(() => {
      if (performance.now() - body.lastWriteAt >= pingIntervalMs * 0.9) body.write(": ping\n\n");
    }, pingIntervalMs);
    ping.unref();
    void generation.then((outcome) => {
      clearInterval(ping);
      const apiError = failureOf(outcome);
      if (apiError !== undefined && !body.ended) body.write(encoder.error(apiError));
      body.end();
      finish(outcome, 200, apiError);
    });
    return { status: 200, headers: cors, body };
  }

  const app: ServeApp = {
    backend,
    metrics,
    maxBodyBytes: maxBody,
    async fetch(request: Request): Promise<Response> {
      try {
        return await handle(request);
      } catch (error) {
        const apiError = apiErrorOf(error);
        return errorResponse(apiError, corsHeaders(request.headers.get("origin"), corsOrigins));
      }
    },
    activeRequests: () => running.size,
    async shutdown({ graceMs }) {
      closing = true;
      const all = Promise.all([...running].map((r) => r.finished));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        all,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
      const error = new ApiError(503, "The server is shutting down; the answer was cut off", {
        code: "shutting_down",
      });
      for (const entry of [...running]) entry.terminate(error);
      await Promise.all([...running].map((r) => r.finished));
      await backend.close();
    },
  };
  directRoutes.set(app.fetch, (path, request) => {
    const endpoint = Object.hasOwn(generationPaths, path) ? generationPaths[path] : undefined;
    return endpoint === undefined ? undefined : serveGeneration(endpoint, request);
  });
  return app;
}

function webRequest(request: Request, url: URL): AppRequest {
  return {
    host: request.headers.get("host") ?? url.host,
    header: (name) => request.headers.get(name),
    json: (maxBytes, limitSetting) => readJsonBody(request, maxBytes, limitSetting),
    signal: request.signal,
  };
}

function toResponse(reply: AppReply): Response {
  if (typeof reply.body !== "string") return sseResponse(reply.body, reply.headers);
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}

function hostRefused(allowedHostsSetting: string | undefined): ApiError {
  return new ApiError(
    403,
    `This Host is not allowed; start the server with ${allowedHostsSetting ?? "NAME in allowedHosts"} to accept it`,
    { code: "host_not_allowed" },
  );
}

function keyRefused(): ApiError {
  return new ApiError(401, "Missing or wrong API key: send Authorization: Bearer <key>", {
    code: "invalid_api_key",
  });
}

function jsonReply(body: unknown, headers: Record<string, string>, status = 200): AppReply {
  return {
    status,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

function encoderFor(endpoint: Endpoint, context: EncoderContext): StreamEncoder {
  if (endpoint === "chat") return createChatChunkEncoder(context);
  if (endpoint === "completions") return createCompletionChunkEncoder(context);
  return createResponsesEncoder(context);
}

function json(body: unknown, headers: Record<string, string>, status = 200): Response {
  return toResponse(jsonReply(body, headers, status));
}

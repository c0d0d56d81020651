import type { FinishInfo, StreamChatOptions, StreamEvent, Timeouts, Transport } from "llmstream";
import { isLlmstreamError, type LlmstreamError, streamChat } from "llmstream";
import { ApiError } from "./ApiError.js";
import type { Backend, GenerationHooks, GenerationOutcome, ModelEntry } from "./Backend.js";
import type { GenerationRequest } from "./GenerationRequest.js";
import type { UpstreamConfig } from "./parseUpstream.js";
import { responsesExtra } from "./responsesExtra.js";

/** Options of {@link createRelayBackend}. */
export interface RelayBackendOptions {
  upstreams: UpstreamConfig[];
  /**
   * Upstream timeouts. A stall past `idleMs` or no first token by `firstTokenMs` fails the request
   * (before the first token it fails over). @defaultValue connect 10 s, first token 120 s, idle 60 s
   */
  timeouts?: Timeouts;
  /** How often unhealthy upstreams are probed (`GET /v1/models` or `/api/tags`). @defaultValue 5000 */
  recheckMs?: number;
  /** The request log hook, called once per upstream attempt, with the name of the upstream tried. */
  onFinish?: (info: FinishInfo, upstream: string) => void;
  transport?: Transport;
  /** For tests: the tie-breaker between equally loaded upstreams. @defaultValue Math.random */
  random?: () => number;
}

/** One upstream's live state. */
interface Upstream extends UpstreamConfig {
  outstanding: number;
  healthy: boolean;
  served: number;
  failures: number;
  lastError?: string;
  models: string[];
}

const defaultTimeouts: Timeouts = { connectMs: 10_000, firstTokenMs: 120_000, idleMs: 60_000 };

/**
 * Upstream servers as a backend. Each request goes to the healthy upstream with the fewest
 * outstanding requests (ties at random; unhealthy ones only when no healthy one is left). Its
 * count is raised for the whole stream and lowered exactly once, in a `finally`, so it can never go
 * negative. Every stream is parsed by the core (`streamChat`, retries off) and each event handed on
 * inside the read that decoded it (`forEach`). Nothing is passed on before the first content
 * token, so until then a failure (connection, 5xx, 429, timeout, cut, bad stream) fails over to the
 * next upstream; after it, the failure is the outcome and the client sees it.
 */
export function createRelayBackend(options: RelayBackendOptions): Backend {
  if (options.upstreams.length === 0) throw new TypeError("createRelayBackend needs at least one upstream");
  const upstreams: Upstream[] = options.upstreams.map((config) => ({
    ...config,
    outstanding: 0,
    healthy: true,
    served: 0,
    failures: 0,
    models: [],
  }));
  const random = options.random ?? Math.random;
  const timeouts = { ...defaultTimeouts, ...options.timeouts };
  const recheck = setInterval(() => {
    for (const upstream of upstreams) if (!upstream.healthy) void probe(upstream);
  }, options.recheckMs ?? 5000);
  recheck.unref();

  function pick(tried: Set<Upstream>): Upstream | undefined {
    let best: Upstream | undefined;
    let ties = 0;
    for (const upstream of upstreams) {
      if (tried.has(upstream)) continue;
      if (best === undefined || rank(upstream) < rank(best)) {
        best = upstream;
        ties = 1;
      } else if (rank(upstream) === rank(best)) {
        // Reservoir sampling: each of the tied upstreams is picked with equal chance.
        ties++;
        if (random() * ties < 1) best = upstream;
      }
    }
    return best;
  }

  /** Healthy first, then the fewest outstanding. */
  function rank(upstream: Upstream): number {
    return (upstream.healthy ? 0 : 1e9) + upstream.outstanding;
  }

  async function probe(upstream: Upstream): Promise<void> {
    const url = upstream.protocol === "ollama" ? `${upstream.url}/api/tags` : `${upstream.url}/models`;
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(timeouts.connectMs ?? 10_000),
        ...(upstream.apiKey === undefined ? {} : { headers: { authorization: `Bearer ${upstream.apiKey}` } }),
      });
      const body = (await response.json().catch(() => undefined)) as
        | { data?: { id?: unknown }[]; models?: { name?: unknown }[] }
        | undefined;
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const ids = [...(body?.data ?? []).map((m) => m.id), ...(body?.models ?? []).map((m) => m.name)];
      upstream.models = ids.filter((id): id is string => typeof id === "string");
      upstream.healthy = true;
    } catch (error) {
      upstream.healthy = false;
      upstream.lastError = error instanceof Error ? error.message : String(error);
    }
  }

  async function attempt(
    upstream: Upstream,
    request: GenerationRequest,
    hooks: GenerationHooks,
  ): Promise<{ outcome: GenerationOutcome; committed: boolean }> {
    let committed = false;
    const held: StreamEvent[] = [];
    const onEvent = hooks.onEvent;
    // The request's extra fields are in the Chat Completions form; a Responses upstream takes its own.
    const extra = upstream.protocol === "responses" ? responsesExtra(request.extra) : request.extra;
    // Built field by field: a dozen conditional spreads cost more than the rest of the call.
    const chatOptions: StreamChatOptions = {
      baseURL: upstream.url,
      protocol: upstream.protocol,
      model: request.model,
      messages: request.messages,
      signal: hooks.signal,
      timeouts,
      retry: 0,
      // A relay hands the content on as the upstream sent it.
      thinkTags: false,
    };
    if (upstream.apiKey !== undefined) chatOptions.apiKey = upstream.apiKey;
    if (request.maxTokens !== undefined) chatOptions.maxTokens = request.maxTokens;
    if (request.temperature !== undefined) chatOptions.temperature = request.temperature;
    if (request.topP !== undefined) chatOptions.topP = request.topP;
    if (request.seed !== undefined) chatOptions.seed = request.seed;
    if (request.stop !== undefined) chatOptions.stop = request.stop;
    if (Object.keys(extra).length > 0) chatOptions.body = extra;
    const onFinish = options.onFinish;
    if (onFinish !== undefined) chatOptions.onFinish = (info) => onFinish(info, upstream.name);
    if (options.transport !== undefined) chatOptions.transport = options.transport;
    const stream = streamChat(chatOptions);
    try {
      const result = await stream.forEach((event) => {
        if (committed) {
          if (event.type !== "error") onEvent(event);
          return;
        }
        if (event.type === "error") return;
        if (event.type === "usage") {
          held.push(event);
          return;
        }
        // The first content token (or an empty but finished answer): from here on there is no failover.
        committed = true;
        for (const early of held) onEvent(early);
        held.length = 0;
        onEvent(event);
      });
      return { outcome: { result, upstream: upstream.name }, committed };
    } catch (error) {
      return {
        outcome: {
          result: isLlmstreamError(error) ? error.partial : undefined,
          error,
          upstream: upstream.name,
        },
        committed,
      };
    }
  }

  return {
    kind: "relay",
    modelName: (requested) => requested,
    async generate(request: GenerationRequest, hooks: GenerationHooks): Promise<GenerationOutcome> {
      const tried = new Set<Upstream>();
      let last: GenerationOutcome | undefined;
      for (let upstream = pick(tried); upstream !== undefined; upstream = pick(tried)) {
        tried.add(upstream);
        upstream.outstanding++;
        let step: { outcome: GenerationOutcome; committed: boolean };
        try {
          step = await attempt(upstream, request, hooks);
        } finally {
          upstream.outstanding--;
        }
        const { outcome, committed } = step;
        if (outcome.error === undefined) {
          upstream.served++;
          upstream.healthy = true;
          return outcome;
        }
        upstream.failures++;
        const error = outcome.error as LlmstreamError;
        upstream.lastError = error.message;
        if (makesUnhealthy(error)) upstream.healthy = false;
        last = outcome;
        if (committed || hooks.signal.aborted || !canFailOver(error)) return outcome;
      }
      return (
        last ?? {
          result: undefined,
          error: new ApiError(502, "No upstream is available", { code: "no_upstream" }),
        }
      );
    },
    async models(): Promise<ModelEntry[]> {
      const seen = new Map<string, ModelEntry>();
      await Promise.all(upstreams.filter((u) => u.models.length === 0).map(probe));
      for (const upstream of upstreams)
        for (const id of upstream.models) if (!seen.has(id)) seen.set(id, { id, ownedBy: upstream.name });
      return [...seen.values()];
    },
    health: () => ({
      mode: "relay",
      upstreams: upstreams.map((u) => ({
        name: u.name,
        protocol: u.protocol,
        healthy: u.healthy,
        inFlight: u.outstanding,
        served: u.served,
        failures: u.failures,
        ...(u.lastError === undefined ? {} : { lastError: u.lastError }),
      })),
    }),
    queueDepth: () => 0,
    inFlight: () => Object.fromEntries(upstreams.map((u) => [u.name, u.outstanding])),
    close: async () => clearInterval(recheck),
  };
}

/** Failures worth another upstream: it did not answer, failed, was busy, cut or garbled the stream. */
function canFailOver(error: LlmstreamError): boolean {
  if (!isLlmstreamError(error)) return false;
  if (error.code === "http") return error.status === 429 || (error.status ?? 500) >= 500;
  return ["connection", "timeout", "truncated", "protocol", "server"].includes(error.code);
}

/** Failures that say the upstream itself is down, not just this request. */
function makesUnhealthy(error: LlmstreamError): boolean {
  if (!isLlmstreamError(error)) return false;
  if (error.code === "http") return (error.status ?? 500) >= 500;
  return error.code === "connection" || error.code === "timeout";
}

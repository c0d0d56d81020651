import { ServerError } from "../errors/ServerError.js";
import { GapRecorder } from "../metrics/GapRecorder.js";
import type { DeltaSink, ToolCallFragment, UsageReport } from "../protocols/DeltaSink.js";
import type { StreamEvent } from "../types/events.js";
import type { StreamMetrics } from "../types/metrics.js";
import type { ChatResult, FinishReason, ServerTimings, Usage, UsageSource } from "../types/result.js";
import { TextAccumulator } from "../utils/TextAccumulator.js";
import { EventQueue } from "./EventQueue.js";
import { type ThinkTagMode, ThinkTagSplitter } from "./ThinkTagSplitter.js";
import { ToolCallAssembler } from "./ToolCallAssembler.js";

/** Average characters per token-carrying chunk up to which chunks are taken as one token each. */
const ONE_TOKEN_CHUNK_CHARS = 8;
/** The usual rough estimate for English text. */
const CHARS_PER_TOKEN = 4;

export interface AccumulatorOptions {
  now: () => number;
  thinkTags: ThinkTagMode | false;
  /** Characters of the prompt, for estimating prompt tokens when the server reports none. */
  promptChars: number;
  model: string;
}

/**
 * The one `DeltaSink` every producer writes into: it queues events for the consumer, keeps the whole
 * result (text, reasoning, tool calls) and the timestamps the metrics are derived from.
 */
export class ResponseAccumulator implements DeltaSink {
  /** Events waiting to be handed out. */
  readonly queue = new EventQueue();
  readonly startedAt: number;
  readonly startedAtEpochMs: number;
  responseHeadersAt: number | undefined;
  firstChunkAt: number | undefined;
  firstTokenAt: number | undefined;
  firstAnswerTokenAt: number | undefined;
  lastTokenAt: number | undefined;
  ended = false;
  rawFinishReason: string | undefined;
  attempts = 1;
  warnings: string[] = [];
  /**
   * Fast lane, twin of the clock: when the input being decoded arrived, if the stream says so (after
   * `fill()` or `pull()`): chunks decoded lazily are stamped with their arrival, not with the moment
   * the consumer asked for them (and it saves a clock read per chunk).
   */
  arrivedAt: number | undefined;

  #options: AccumulatorOptions;
  #now: () => number;
  #text = new TextAccumulator();
  #reasoning = new TextAccumulator();
  #tools = new ToolCallAssembler();
  #think: ThinkTagSplitter | undefined;
  #gaps = new GapRecorder();
  #chunks = 0;
  #tokenChunks = 0;
  #chunkSerial = 0;
  #tokenChunkSerial = -1;
  #producerTokens = 0;
  #producerCountsAll = true;
  #usage: UsageReport | undefined;
  #usageSource: UsageSource | undefined;
  #timings: ServerTimings | undefined;
  #model: string | undefined;
  #id: string | undefined;

  constructor(options: AccumulatorOptions) {
    this.#options = options;
    this.#now = options.now;
    this.startedAt = options.now();
    this.startedAtEpochMs = Date.now();
    this.#resetSplitter();
  }

  /** True once any token (answer, reasoning or tool text) has been queued for the consumer. */
  get hasToken(): boolean {
    return this.firstTokenAt !== undefined;
  }

  chunk(): void {
    this.#chunks++;
    this.#chunkSerial++;
    if (this.firstChunkAt === undefined) this.firstChunkAt = this.arrivedAt ?? this.#now();
  }

  text(text: string, tokens?: number): void {
    if (text === "") return;
    this.#markToken(tokens);
    if (this.#think !== undefined) this.#think.push(text);
    else this.#answer(text);
  }

  reasoning(text: string, tokens?: number): void {
    if (text === "") return;
    this.#markToken(tokens);
    this.#reasoningOut(text);
  }

  toolCallFragment(fragment: ToolCallFragment): void {
    if (fragment.arguments || fragment.name) this.#markToken(undefined);
    this.#tools.add(fragment);
  }

  toolCall(call: { id?: string; name: string; arguments: string }): void {
    this.#markToken(undefined);
    this.#tools.addWhole(call);
  }

  finish(rawReason: string): void {
    this.rawFinishReason = rawReason;
  }

  usage(usage: UsageReport, source: UsageSource): void {
    this.#usage = { ...this.#usage, ...usage };
    this.#usageSource = source;
  }

  timings(timings: ServerTimings): void {
    this.#timings = { ...this.#timings, ...timings };
  }

  meta(model: string | undefined, id?: string | undefined): void {
    if (model !== undefined && this.#model === undefined) this.#model = model;
    if (id !== undefined && this.#id === undefined) this.#id = id;
  }

  serverError(message: string, status?: number, code?: string): void {
    throw new ServerError(`The server reported an error mid-stream: ${message}`, {
      serverMessage: message,
      ...(status === undefined ? {} : { status }),
      ...(code === undefined ? {} : { serverCode: code }),
    });
  }

  warning(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  end(): void {
    this.ended = true;
  }

  /** True when the producer said the response is complete (end marker or a finish reason). */
  get complete(): boolean {
    return this.ended || this.rawFinishReason !== undefined;
  }

  /** Forgets a failed attempt's partial state before a retry (only ever before the first token). */
  resetForRetry(): void {
    this.queue.clear();
    this.responseHeadersAt = undefined;
    this.firstChunkAt = undefined;
    this.ended = false;
    this.rawFinishReason = undefined;
    this.#chunks = 0;
    this.#usage = undefined;
    this.#usageSource = undefined;
    this.#timings = undefined;
    this.#tools.clear();
    this.#resetSplitter();
  }

  /** Releases text held by the think-tag splitter. Call when the producer is done. */
  flush(): void {
    this.#think?.end();
    if (this.#think?.warning !== undefined) this.warning(this.#think.warning);
  }

  /** Queues the closing events of a successful or aborted stream and returns the result. */
  finishEvents(finishReason?: FinishReason): ChatResult {
    this.flush();
    const result = this.result(finishReason);
    for (const call of result.toolCalls) this.queue.push({ type: "tool_call", ...call });
    this.queue.push({ type: "usage", usage: result.usage });
    // Copied with the lazy text properties intact: spreading would decode the text here.
    this.queue.push(
      Object.defineProperties({ type: "done" }, Object.getOwnPropertyDescriptors(result)) as StreamEvent,
    );
    return result;
  }

  /** The result so far. `finishReason` overrides the server's (aborted, error). */
  result(finishReason?: FinishReason): ChatResult {
    const endAt = this.#now() - this.startedAt;
    const usage = this.#computeUsage();
    const metrics = this.#computeMetrics(endAt, usage.completionTokens);
    const result: ChatResult = {
      text: "",
      reasoning: "",
      toolCalls: this.#tools.finish(),
      finishReason: finishReason ?? normaliseFinishReason(this.rawFinishReason, this.#tools.size > 0),
      usage,
      metrics,
      model: this.#model ?? this.#options.model,
      warnings: this.warnings,
    };
    if (this.rawFinishReason !== undefined) result.rawFinishReason = this.rawFinishReason;
    if (this.#timings !== undefined) result.serverTimings = this.#timings;
    if (this.#id !== undefined) result.id = this.#id;
    lazyText(result, "text", this.#text);
    lazyText(result, "reasoning", this.#reasoning);
    return result;
  }

  #markToken(tokens: number | undefined): void {
    if (tokens === undefined) this.#producerCountsAll = false;
    else this.#producerTokens += tokens;
    if (this.#tokenChunkSerial === this.#chunkSerial) return;
    this.#tokenChunkSerial = this.#chunkSerial;
    this.#tokenChunks++;
    const now = this.arrivedAt ?? this.#now();
    if (this.lastTokenAt === undefined) this.firstTokenAt = now;
    else this.#gaps.record(now - this.lastTokenAt);
    this.lastTokenAt = now;
  }

  #answer(text: string): void {
    if (this.firstAnswerTokenAt === undefined) this.firstAnswerTokenAt = this.lastTokenAt ?? this.#now();
    this.#text.append(text);
    this.queue.push({ type: "text", text });
  }

  #reasoningOut(text: string): void {
    this.#reasoning.append(text);
    this.queue.push({ type: "reasoning", text });
  }

  #resetSplitter(): void {
    const mode = this.#options.thinkTags;
    this.#think =
      mode === false
        ? undefined
        : new ThinkTagSplitter(
            { text: (t) => this.#answer(t), reasoning: (t) => this.#reasoningOut(t) },
            mode,
          );
  }

  #computeUsage(): Usage {
    const reported = this.#usage;
    const timings = this.#timings;
    const outputChars = this.#text.length + this.#reasoning.length;
    let completion = reported?.completionTokens ?? timings?.completionTokens;
    let prompt = reported?.promptTokens ?? timings?.promptTokens;
    let source: UsageSource;
    if (completion !== undefined) {
      source = this.#usageSource ?? "server";
    } else if (this.#producerCountsAll && this.#producerTokens > 0) {
      completion = this.#producerTokens;
      source = this.#usageSource ?? "engine";
    } else if (this.#tokenChunks > 0 && outputChars / this.#tokenChunks <= ONE_TOKEN_CHUNK_CHARS) {
      completion = this.#tokenChunks;
      source = "chunks";
    } else {
      completion = Math.ceil(outputChars / CHARS_PER_TOKEN);
      source = "estimate";
    }
    if (prompt === undefined) {
      prompt = Math.ceil(this.#options.promptChars / CHARS_PER_TOKEN);
      if (source === "server" || source === "engine") source = "estimate";
    }
    const usage: Usage = {
      promptTokens: prompt,
      completionTokens: completion,
      totalTokens: reported?.totalTokens ?? prompt + completion,
      source,
    };
    if (reported?.reasoningTokens !== undefined) usage.reasoningTokens = reported.reasoningTokens;
    return usage;
  }

  #computeMetrics(endAt: number, completionTokens: number): StreamMetrics {
    const rel = (t: number | undefined) => (t === undefined ? undefined : t - this.startedAt);
    const first = rel(this.firstTokenAt);
    const last = rel(this.lastTokenAt);
    const metrics: StreamMetrics = {
      startedAtEpochMs: this.startedAtEpochMs,
      endAt,
      e2eMs: endAt,
      chunks: this.#chunks,
      tokenChunks: this.#tokenChunks,
      chunkGaps: this.#gaps.stats(),
      attempts: this.attempts,
    };
    const set = <K extends keyof StreamMetrics>(key: K, value: StreamMetrics[K] | undefined) => {
      if (value !== undefined) metrics[key] = value;
    };
    set("responseHeadersAt", rel(this.responseHeadersAt));
    set("firstChunkAt", rel(this.firstChunkAt));
    set("firstTokenAt", first);
    set("firstAnswerTokenAt", rel(this.firstAnswerTokenAt));
    set("lastTokenAt", last);
    set("ttftMs", first);
    set("ttfatMs", rel(this.firstAnswerTokenAt));
    if (first !== undefined && last !== undefined && completionTokens > 1 && last > first) {
      metrics.tpotMs = (last - first) / (completionTokens - 1);
      metrics.tokensPerSecond = ((completionTokens - 1) * 1000) / (last - first);
    }
    if (this.#tokenChunks > 0) metrics.meanTokensPerChunk = completionTokens / this.#tokenChunks;
    return metrics;
  }
}

/**
 * Defines `result[key]` as the accumulated text, decoded from its UTF-8 blocks on first read (then a
 * plain value). A long answer is kept compact until someone asks for it: a consumer that only
 * streams the events never pays for a second, UTF-16 copy of the whole text.
 */
function lazyText(result: ChatResult, key: "text" | "reasoning", text: TextAccumulator): void {
  Object.defineProperty(result, key, {
    enumerable: true,
    configurable: true,
    get() {
      const value = text.toString();
      Object.defineProperty(this, key, { value, enumerable: true, configurable: true, writable: true });
      return value;
    },
    set(value: string) {
      Object.defineProperty(this, key, { value, enumerable: true, configurable: true, writable: true });
    },
  });
}

/** Maps server finish reasons (OpenAI, llama.cpp, vLLM, Ollama; Responses `incomplete_details.reason`) to ours. */
export function normaliseFinishReason(raw: string | undefined, hasToolCalls: boolean): FinishReason {
  switch (raw) {
    case undefined:
      return hasToolCalls ? "tool_calls" : "stop";
    case "stop":
    case "eos":
    case "end_turn":
    case "stop_sequence":
      return hasToolCalls ? "tool_calls" : "stop";
    case "length":
    case "max_tokens":
    case "max_output_tokens":
    case "model_length":
      return "length";
    case "tool_calls":
    case "function_call":
    case "tool_use":
      return "tool_calls";
    case "content_filter":
      return "content_filter";
    default:
      return "other";
  }
}

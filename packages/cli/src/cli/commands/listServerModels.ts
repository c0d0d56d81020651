import type { Protocol } from "llmstream";
import { ExitCode } from "../exitCodes.js";

/** One model a server offers (`GET /v1/models`, or Ollama's `GET /api/tags`). */
export interface ServerModel {
  id: string;
  /** OpenAI's `owned_by`. */
  ownedBy?: string;
  /** Ollama: the model's size on disk, bytes. */
  sizeBytes?: number;
  /** Ollama: when the model was last pulled or changed. */
  modifiedAt?: string;
}

/** Why the listing failed, with the exit code `chat` uses for the same failure. */
export class ServerModelsError extends Error {
  override name = "ServerModelsError";
  constructor(
    message: string,
    readonly exitCode: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Largest listing read, in bytes. */
const maxBodyBytes = 4 * 1024 * 1024;

/**
 * Asks a server which models it has: `GET <baseURL>/models` for the OpenAI protocol (`baseURL`
 * ends in `/v1`), `GET <baseURL>/api/tags` for Ollama's native one. Gives up after `timeoutMs`.
 * Throws a {@link ServerModelsError} saying what happened, with `chat`'s exit code for it.
 */
export async function listServerModels(options: {
  baseURL: string;
  protocol: Protocol;
  apiKey?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}): Promise<ServerModel[]> {
  const base = options.baseURL.replace(/\/+$/, "");
  const url = options.protocol === "ollama" ? `${base}/api/tags` : `${base}/models`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal === undefined ? [] : [options.signal])];
  let response: Response;
  try {
    response = await fetch(url, {
      headers: options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` },
      signal: AbortSignal.any(signals),
    });
  } catch (error) {
    if ((error as Error).name === "TimeoutError") {
      throw new ServerModelsError(`${url} did not answer within ${timeoutMs / 1000} s`, ExitCode.timeout, {
        cause: error,
      });
    }
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new ServerModelsError(
      `Nothing answered at ${url} (${reason}): is the server running?`,
      ExitCode.connection,
      {
        cause: error,
      },
    );
  }
  const body = await response.text();
  if (body.length > maxBodyBytes) {
    throw new ServerModelsError(
      `The model list from ${url} is larger than ${maxBodyBytes} bytes`,
      ExitCode.protocol,
    );
  }
  if (!response.ok) {
    throw new ServerModelsError(
      `${url} answered HTTP ${response.status}: ${body.slice(0, 200)}`,
      ExitCode.http,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ServerModelsError(`${url} did not answer with JSON: ${body.slice(0, 80)}`, ExitCode.protocol);
  }
  const models = options.protocol === "ollama" ? ollamaModels(parsed) : openAiModels(parsed);
  if (models === undefined) {
    const expected = options.protocol === "ollama" ? '{"models":[…]}' : '{"data":[…]}';
    throw new ServerModelsError(
      `${url} did not answer with a model list (${expected}); is --protocol right?`,
      ExitCode.protocol,
    );
  }
  return models;
}

function openAiModels(body: unknown): ServerModel[] | undefined {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return undefined;
  return data.flatMap((entry: { id?: unknown; owned_by?: unknown }) => {
    if (typeof entry?.id !== "string") return [];
    return [{ id: entry.id, ...(typeof entry.owned_by === "string" ? { ownedBy: entry.owned_by } : {}) }];
  });
}

function ollamaModels(body: unknown): ServerModel[] | undefined {
  const list = (body as { models?: unknown } | null)?.models;
  if (!Array.isArray(list)) return undefined;
  return list.flatMap((entry: { name?: unknown; model?: unknown; size?: unknown; modified_at?: unknown }) => {
    const id = typeof entry?.name === "string" ? entry.name : entry?.model;
    if (typeof id !== "string") return [];
    return [
      {
        id,
        ...(typeof entry.size === "number" ? { sizeBytes: entry.size } : {}),
        ...(typeof entry.modified_at === "string" ? { modifiedAt: entry.modified_at } : {}),
      },
    ];
  });
}

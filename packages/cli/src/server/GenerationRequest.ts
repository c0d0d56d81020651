import type { ChatMessage } from "llmstream";

/** Which API a request came in on; it decides the response encoding. */
export type Endpoint = "chat" | "completions" | "responses";

/** One validated request, the same for every endpoint and both backends. */
export interface GenerationRequest {
  endpoint: Endpoint;
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  /** The client asked for `stream_options.include_usage` (chat and completions). */
  includeUsage: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  stop?: string | string[];
  /**
   * OpenAI chat fields the engine does not use but a relay upstream should get (`tools`,
   * `tool_choice`, `response_format`, penalties, …): a fixed allow-list, never URLs or headers.
   */
  extra: Record<string, unknown>;
}

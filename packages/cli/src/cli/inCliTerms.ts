/**
 * Library terms found in library messages, each with the CLI's words for it. The library names its
 * own options (`timeouts.idleMs`, `baseURL`); a command that prints such a message puts its flags in
 * their place. Longer terms come before the shorter ones they contain.
 */
export type CliTerms = ReadonlyArray<readonly [libraryTerm: string, cliTerm: string]>;

/** The request log's options, as `chat` and `serve` spell them. */
export const logTerms: CliTerms = [
  ["log: false", "--no-log"],
  ["logFile", "--log-file"],
];

/** The options of the HTTP client and the engine, as `chat` (and `models`) spell them. */
export const chatTerms: CliTerms = [
  ["timeouts.firstTokenMs", "--first-token-timeout"],
  ["timeouts.idleMs", "--idle-timeout"],
  ["timeouts.totalMs", "--timeout"],
  ["timeouts.connectMs", "the connect timeout"],
  ["maxTokens", "--max-tokens"],
  ["(apiKey)", "(--api-key or OPENAI_API_KEY)"],
  ['protocol: "openai"', "--protocol openai"],
  ["baseURL and protocol", "--base-url and --protocol"],
  ["baseURL", "--base-url"],
  ["retry.retries", "--retries"],
  ["thinkTags: 'start-in-thinking'", "--think-tags start-in-thinking"],
  ["use a server with streamChat", "use a server with --base-url"],
  ["pullModel", "llmstream pull"],
  ...logTerms,
];

/** `bench`: the client's options as above, its own settings, and a request's whole-time limit. */
export const benchTerms: CliTerms = [
  ["timeouts.totalMs", "--request-timeout"],
  ["every SLO", "every --slo"],
  ["open loop (rate levels)", "open loop (--rate)"],
  ["lower the request rate", "lower --rate"],
  ["(nonStreamingToo)", "(--non-streaming-too)"],
  ...chatTerms.filter(([term]) => !term.startsWith("timeouts.") && term !== "retry.retries"),
];

/** `serve`: the relay's upstreams, the engine's model download, the log. */
export const serveTerms: CliTerms = [
  ['Upstream "', '--upstream "'],
  ["pullModel", "llmstream pull"],
  ...logTerms,
];

/**
 * A library message as a CLI user should read it: the options it names (library terms, e.g.
 * "raise timeouts.idleMs") become the flags that set them ("raise --idle-timeout").
 *
 * @example
 * ```ts
 * warn(`error: ${inCliTerms(error.message)}`);
 * ```
 */
export function inCliTerms(message: string, terms: CliTerms = chatTerms): string {
  let result = message;
  for (const [term, words] of terms) result = result.replaceAll(term, words);
  return result;
}

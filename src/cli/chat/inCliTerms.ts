/** The library's option names in its messages, and the `chat` flags that set them. */
const flagsForOptions: ReadonlyArray<readonly [string, string]> = [
  ["timeouts.firstTokenMs", "--first-token-timeout"],
  ["timeouts.idleMs", "--idle-timeout"],
  ["timeouts.totalMs", "--timeout"],
  ["timeouts.connectMs", "the connect timeout"],
  ["maxTokens", "--max-tokens"],
];

/**
 * A library error message as a `chat` user should read it: the options it names (library terms,
 * e.g. "raise timeouts.idleMs") become the flags that set them ("raise --idle-timeout").
 *
 * @example
 * ```ts
 * warn(`error: ${inCliTerms(error.message)}`);
 * ```
 */
export function inCliTerms(message: string): string {
  let result = message;
  for (const [option, flag] of flagsForOptions) result = result.replaceAll(option, flag);
  return result;
}

/**
 * The fixed answer of the `ok` scenario, already cut into tokens. It mixes ASCII with a two-byte
 * character ("é"), a ZWJ emoji sequence ("👩‍💻", 11 bytes) and CJK ("你好", 3 bytes each), so decoders
 * that split UTF-8 wrongly show visible damage. Tokens break inside the emoji sequence on purpose,
 * the way real tokenizers do.
 */
export const MOCK_ANSWER_TOKENS: readonly string[] = [
  "Hello",
  "!",
  " Meet",
  " me",
  " at",
  " the",
  " café",
  " at",
  " noon",
  ".",
  " The",
  " coder",
  " 👩",
  "\u200d💻",
  " says",
  " 你",
  "好",
  " to",
  " everyone",
  ".",
];

/** The whole answer, for assertions. */
export const MOCK_ANSWER = MOCK_ANSWER_TOKENS.join("");

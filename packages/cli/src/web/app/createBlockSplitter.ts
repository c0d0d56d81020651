import { marked, type Token } from "marked";

/** Options of {@link createBlockSplitter}. */
export interface BlockSplitterOptions {
  /**
   * The longest growing block (in UTF-16 code units). A longer one is closed at its last line break
   * (or space) and the rest starts a new block, a code block reopened with its fence, so the text
   * re-rendered on every frame stays bounded however long one paragraph or code block gets.
   * @defaultValue 16384
   */
  maxBlockLength?: number;
}

/** A markdown block: its source text and the lexer's token for it. */
export interface Block {
  raw: string;
  token: Token;
}

/** What one `push` or `end` produced. */
export interface BlockUpdate {
  /** Blocks finished by this update, in order. Each block is reported once, ever. */
  finished: Block[];
  /**
   * The blocks still growing (re-render them): the last block, and the one before it, which the next
   * lines can still join (a loose list item, a paragraph continued after a would-be fence).
   */
  growing: Block[];
}

/** A synchronous, I/O-free markdown block splitter for streamed text. */
export interface BlockSplitter {
  push(text: string): BlockUpdate;
  /** The text is complete: every block left is finished. */
  end(): BlockUpdate;
}

const lex = (markdown: string): Token[] => marked.lexer(markdown, { gfm: true });
/** The opening fence line of a fenced code block, and its marker (the closing fence). */
const fenceOf = (raw: string) => {
  const match = /^ {0,3}(`{3,}|~{3,})[^\n]*\n/.exec(raw);
  return match === null ? undefined : { line: match[0], marker: match[1]! };
};

/**
 * Splits streamed markdown into blocks with `marked`'s lexer. A block is finished once two more have
 * started (one is not enough: `1. a` + blank line + `2` lexes as a list and a paragraph until the
 * `. b` arrives and joins them): it is reported once and its text dropped, so only the growing
 * blocks are lexed again on the next push. The cost of a push is the size of the growing blocks, not
 * of the whole answer.
 *
 * Limit: link reference definitions (`[x]: url`) apply only to blocks lexed after them.
 *
 * @example
 * ```ts
 * const splitter = createBlockSplitter();
 * splitter.push("One\n\nTwo\n\nThr"); // finished: [{ raw: "One\n\n" }], growing: [{ raw: "Two\n\n" }, { raw: "Thr" }]
 * splitter.end(); // finished: [{ raw: "Two\n\n" }, { raw: "Thr" }], growing: []
 * ```
 */
export function createBlockSplitter(options: BlockSplitterOptions = {}): BlockSplitter {
  const maxBlockLength = options.maxBlockLength ?? 16_384;
  if (!(maxBlockLength >= 1))
    throw new RangeError(`maxBlockLength must be at least 1, got ${maxBlockLength}`);
  let pending = "";
  let carriageReturn = false;

  /** Moves `tokens[0..count)` to `finished`; blank lines join the block before them. */
  const finish = (tokens: Token[], count: number, into: Block[]) => {
    let consumed = 0;
    for (let i = 0; i < count; i++) {
      const token = tokens[i]!;
      consumed += token.raw.length;
      const previous = into[into.length - 1];
      if (token.type === "space" && previous !== undefined) {
        into[into.length - 1] = { raw: previous.raw + token.raw, token: previous.token };
      } else {
        into.push({ raw: token.raw, token });
      }
    }
    pending = pending.slice(consumed);
  };

  const update = (end: boolean): BlockUpdate => {
    const finished: Block[] = [];
    for (;;) {
      const tokens = lex(pending);
      if (end) {
        finish(tokens, tokens.length, finished);
        return { finished, growing: [] };
      }
      // The start of the second-to-last block (spaces belong to the block before them).
      const starts: number[] = [];
      for (let i = 0; i < tokens.length; i++) if (tokens[i]!.type !== "space") starts.push(i);
      const keepFrom = starts.length >= 2 ? starts[starts.length - 2]! : 0;
      finish(tokens, keepFrom, finished);
      const rest = tokens.slice(keepFrom);
      if (pending.length <= maxBlockLength || rest.length === 0) return { finished, growing: grow(rest) };
      // Over the limit: the second-to-last block is finished too, then the last is cut if still long.
      const lastStart = starts[starts.length - 1]! - keepFrom;
      if (lastStart > 0) {
        finish(rest, lastStart, finished);
        continue;
      }
      const token = rest[0]!;
      const fence = token.type === "code" ? fenceOf(pending) : undefined;
      let cut =
        pending.lastIndexOf("\n", maxBlockLength - 1) + 1 || pending.lastIndexOf(" ", maxBlockLength - 1) + 1;
      if (cut <= (fence?.line.length ?? 0)) cut = maxBlockLength;
      const head = pending.slice(0, cut);
      const closed =
        fence === undefined ? head : `${head}${head.endsWith("\n") ? "" : "\n"}${fence.marker}\n`;
      finished.push({ raw: head, token: lex(closed)[0] ?? token });
      pending = (fence?.line ?? "") + pending.slice(cut);
    }
  };

  /** The growing tokens as blocks, each with the blank lines after it. */
  const grow = (tokens: Token[]): Block[] => {
    const blocks: Block[] = [];
    for (const token of tokens) {
      const previous = blocks[blocks.length - 1];
      if (token.type === "space" && previous !== undefined) {
        blocks[blocks.length - 1] = { raw: previous.raw + token.raw, token: previous.token };
      } else blocks.push({ raw: token.raw, token });
    }
    return blocks;
  };

  return {
    push(text) {
      if (text === "") return update(false);
      let delta = carriageReturn ? `\r${text}` : text;
      carriageReturn = delta.endsWith("\r");
      if (carriageReturn) delta = delta.slice(0, -1);
      pending += delta.replace(/\r\n?/g, "\n");
      return update(false);
    },
    end() {
      if (carriageReturn) pending += "\n";
      carriageReturn = false;
      return update(true);
    },
  };
}

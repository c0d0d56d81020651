import type { ToolCallFragment } from "../protocols/DeltaSink.js";
import type { ToolCall } from "../types/result.js";

interface Draft {
  index: number;
  id: string;
  name: string;
  args: string[];
  /** The first fragment's arguments were the placeholder "{}". */
  placeholder: boolean;
}

/**
 * Assembles streamed tool-call fragments into whole calls. Fragments are matched by `index`, then by
 * `id` when a server omits the index; argument text is joined in arrival order. Arguments that start
 * as `null` count as empty, and a leading placeholder `"{}"` is replaced by the real arguments when
 * they follow. Empty arguments become `"{}"` so `arguments` is always JSON text.
 */
export class ToolCallAssembler {
  #drafts: Draft[] = [];
  #nextId = 0;

  add(fragment: ToolCallFragment): void {
    let draft = this.#drafts.find((d) => d.index === fragment.index);
    if (draft === undefined && fragment.id !== undefined && fragment.id !== "") {
      draft = this.#drafts.find((d) => d.id === fragment.id);
    }
    if (draft === undefined) {
      draft = { index: fragment.index, id: "", name: "", args: [], placeholder: false };
      this.#drafts.push(draft);
    }
    if (fragment.id) draft.id = fragment.id;
    if (fragment.name) draft.name += draft.name === fragment.name ? "" : fragment.name;
    const piece = fragment.arguments;
    if (piece) {
      if (draft.args.length === 0 && piece.trim() === "{}") {
        draft.placeholder = true;
        draft.args.push(piece);
      } else if (draft.placeholder && draft.args.length === 1 && piece.trimStart().startsWith("{")) {
        draft.placeholder = false;
        draft.args[0] = piece;
      } else {
        draft.placeholder = false;
        draft.args.push(piece);
      }
    }
  }

  /** Adds a whole call (Ollama native). */
  addWhole(call: { id?: string; name: string; arguments: string }): void {
    const index = this.#drafts.length === 0 ? 0 : Math.max(...this.#drafts.map((d) => d.index)) + 1;
    this.#drafts.push({
      index,
      id: call.id ?? "",
      name: call.name,
      args: [call.arguments],
      placeholder: false,
    });
  }

  get size(): number {
    return this.#drafts.length;
  }

  /** The assembled calls, in index order; calls without an id get a generated one. */
  finish(): ToolCall[] {
    return this.#drafts
      .slice()
      .sort((a, b) => a.index - b.index)
      .map((d) => ({
        index: d.index,
        id: d.id === "" ? `call_${d.index}_${this.#nextId++}` : d.id,
        name: d.name,
        arguments: d.args.length === 0 ? "{}" : d.args.join(""),
      }));
  }

  clear(): void {
    this.#drafts = [];
  }
}

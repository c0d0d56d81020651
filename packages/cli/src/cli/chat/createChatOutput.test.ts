import { createMarkdownRenderer, renderMarkdown } from "@llmstream/render";
import type { StreamEvent } from "llmstream";
import { TruncatedError } from "llmstream";
import { describe, expect, it } from "vitest";
import { type ChatOutputOptions, createChatOutput } from "./createChatOutput.js";

async function render(events: StreamEvent[], options: Omit<ChatOutputOptions, "writer">): Promise<string> {
  const parts: string[] = [];
  const output = createChatOutput({
    ...options,
    writer: {
      broken: false,
      write: async (text) => {
        parts.push(text);
      },
    },
  });
  for (const event of events) await output.write(event);
  await output.end();
  return parts.join("");
}

const error = new TruncatedError("cut");
const events: StreamEvent[] = [
  { type: "reasoning", text: "Let me think" },
  { type: "text", text: "Hello" },
  { type: "text", text: ", world" },
  { type: "error", code: "truncated", message: "cut", error },
];

/** Text output through a 40-column markdown renderer that draws each block once. */
const markdownOutput: Omit<ChatOutputOptions, "writer"> = {
  mode: "text",
  color: false,
  showReasoning: true,
  createRenderer: (write) => createMarkdownRenderer({ write, columns: () => 40, color: false, live: false }),
};

describe("createChatOutput", () => {
  it("writes only the answer, plus a final newline, when reasoning is hidden", async () => {
    expect(await render(events, { mode: "text", color: false, showReasoning: false })).toBe("Hello, world\n");
  });

  it("writes reasoning, a blank line, then the answer", async () => {
    expect(await render(events, { mode: "text", color: false, showReasoning: true })).toBe(
      "Let me think\n\nHello, world\n",
    );
  });

  it("dims reasoning when colours are on", async () => {
    const text = await render(events.slice(0, 2), { mode: "text", color: true, showReasoning: true });
    expect(text).toBe("\u001b[2mLet me think\u001b[22m\n\nHello\n");
  });

  it("does not add a newline to an answer that ends with one, or to no answer", async () => {
    expect(
      await render([{ type: "text", text: "a\n" }], { mode: "text", color: false, showReasoning: true }),
    ).toBe("a\n");
    expect(await render([], { mode: "text", color: false, showReasoning: true })).toBe("");
  });

  it("puts a tool call on its own line", async () => {
    const call: StreamEvent = {
      type: "tool_call",
      index: 0,
      id: "1",
      name: "weather",
      arguments: '{"city":"Oslo"}',
    };
    const text = await render([{ type: "text", text: "Checking" }, call], {
      mode: "text",
      color: false,
      showReasoning: true,
    });
    expect(text).toBe('Checking\n[tool call] weather({"city":"Oslo"})\n');
  });

  it("writes one JSON line per event in json mode, reasoning included", async () => {
    const text = await render(events, { mode: "json", color: true, showReasoning: false });
    expect(text.split("\n")).toEqual([
      '{"type":"reasoning","text":"Let me think"}',
      '{"type":"text","text":"Hello"}',
      '{"type":"text","text":", world"}',
      '{"type":"error","code":"truncated","message":"cut"}',
      "",
    ]);
  });

  it("calls onFirstOutput once, just before the first write", async () => {
    let calls = 0;
    await render(events, {
      mode: "text",
      color: false,
      showReasoning: false,
      onFirstOutput: () => (calls += 1),
    });
    expect(calls).toBe(1);
  });

  it("sends the answer text through the renderer, and ends it before a tool call and at the end", async () => {
    const markdown = "# Title\n\nSome **bold** text\n\n- one\n- two\n";
    const pieces = markdown.match(/[\s\S]{1,4}/g) ?? [];
    const text = await render(
      [
        ...pieces.map((piece): StreamEvent => ({ type: "text", text: piece })),
        { type: "tool_call", index: 0, id: "1", name: "f", arguments: "{}" },
        { type: "text", text: "*after*" },
      ],
      markdownOutput,
    );
    const expected = `${renderMarkdown(markdown, { columns: 40, color: false })}[tool call] f({})\nafter\n`;
    expect(text).toBe(expected);
  });

  it("pushes a burst of text to the renderer once per turn of the event loop, and all of it by the end", async () => {
    const markdown = `${"A long paragraph of words that keeps growing. ".repeat(40)}\n\n- one\n- two\n`;
    const pieces = markdown.match(/[\s\S]{1,4}/g) ?? [];
    const pushes: string[] = [];
    const parts: string[] = [];
    const output = createChatOutput({
      writer: { broken: false, write: async (text) => void parts.push(text) },
      mode: "text",
      color: false,
      showReasoning: true,
      createRenderer: (write) => {
        const renderer = createMarkdownRenderer({ write, columns: () => 40, color: false, live: true });
        return {
          ...renderer,
          push(text) {
            pushes.push(text);
            renderer.push(text);
          },
        };
      },
    });
    // The first half arrives in one burst (as from one network read), the rest one piece per tick.
    const half = pieces.length >> 1;
    for (const piece of pieces.slice(0, half)) await output.write({ type: "text", text: piece });
    await new Promise((resolve) => setImmediate(resolve));
    expect(pushes).toEqual([pieces.slice(0, half).join("")]);
    for (const piece of pieces.slice(half)) {
      await output.write({ type: "text", text: piece });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(pushes).toHaveLength(1 + pieces.length - half);
    await output.end();
    expect(pushes.join("")).toBe(markdown);
  });

  it("waits for a renderer that is still loading, once, and draws the same as one that was ready", async () => {
    const markdown = [
      { type: "text", text: "# Title\n\nSome " },
      { type: "text", text: "**bold** text\n" },
    ] as const;
    const ready = await render([...markdown], markdownOutput);
    let made = 0;
    let release!: () => void;
    const loaded = new Promise<void>((resolve) => {
      release = resolve;
    });
    const parts: string[] = [];
    const output = createChatOutput({
      ...markdownOutput,
      writer: { broken: false, write: async (text) => void parts.push(text) },
      createRenderer: async (write) => {
        made++;
        await loaded;
        return createMarkdownRenderer({ write, columns: () => 40, color: false, live: false });
      },
    });
    const first = output.write(markdown[0]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(parts).toEqual([]);
    release();
    await first;
    await output.write(markdown[1]);
    await output.end();
    expect(made).toBe(1);
    expect(parts.join("")).toBe(ready);
    expect(ready).toMatch(/Title/);
  });

  it("ends with all the text drawn even when the stream stops before the next tick", async () => {
    const text = await render(
      [
        { type: "text", text: "Half a para" },
        { type: "text", text: "graph" },
      ],
      markdownOutput,
    );
    expect(text).toBe("Half a paragraph\n");
  });
});

import { describe, expect, it } from "vitest";
import { createSpinner } from "./createSpinner.js";

describe("createSpinner", () => {
  it("draws frames until stopped, then erases its line", async () => {
    const writes: string[] = [];
    const spinner = createSpinner(
      { write: (text: string) => writes.push(text) },
      { text: "Waiting", intervalMs: 5 },
    );
    spinner.start();
    spinner.start();
    await new Promise((resolve) => setTimeout(resolve, 40));
    spinner.stop();
    const count = writes.length;
    spinner.stop();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writes.length).toBe(count);
    expect(writes[0]).toBe("\r\u001b[2K⠋ Waiting");
    expect(writes[1]).toBe("\r\u001b[2K⠙ Waiting");
    expect(writes.at(-1)).toBe("\r\u001b[2K");
    expect(count).toBeGreaterThan(3);
  });
});

describe("createSpinner later text", () => {
  it("switches to the later text once it has run for afterMs", async () => {
    const writes: string[] = [];
    const spinner = createSpinner(
      { write: (text: string) => writes.push(text) },
      { text: "Waiting", intervalMs: 5, later: { afterMs: 30, text: "Still waiting" } },
    );
    spinner.start();
    await new Promise((resolve) => setTimeout(resolve, 80));
    spinner.stop();
    expect(writes[0]).toBe("\r\u001b[2K⠋ Waiting");
    expect(writes.at(-2)).toMatch(/^\r\u001b\[2K. Still waiting$/);
  });
});

describe("createSpinner width", () => {
  it("shortens the text to the terminal's width, so erasing the line erases all of it", () => {
    const writes: string[] = [];
    const spinner = createSpinner(
      { write: (text: string) => writes.push(text), columns: 12 },
      { text: "Waiting for a long time" },
    );
    spinner.start();
    spinner.stop();
    expect(writes[0]).toBe("\r\u001b[2K⠋ Waiting …");
  });
});

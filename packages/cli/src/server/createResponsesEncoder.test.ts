import { describe, expect, it } from "vitest";
import { ApiError } from "./ApiError.js";
import { createResponsesEncoder } from "./createResponsesEncoder.js";

/** The `data:` objects of an encoder's output. */
const events = (wire: string) =>
  wire
    .split("\n\n")
    .filter((frame) => frame !== "")
    .map((frame) => JSON.parse(frame.slice(frame.indexOf("data: ") + 6)) as Record<string, unknown>);

describe("createResponsesEncoder", () => {
  it("ends a cut stream with response.failed whose output keeps the partial text, marked incomplete", () => {
    const encoder = createResponsesEncoder({ id: "r", created: 1, model: "m", includeUsage: false });
    const wire = [
      encoder.start(),
      encoder.event({ type: "reasoning", text: "Think" }),
      encoder.event({ type: "text", text: "Hel" }),
      encoder.event({ type: "text", text: "lo" }),
      encoder.error(new ApiError(502, "Upstream cut", { code: "upstream_truncated" })),
    ].join("");
    const all = events(wire);
    expect(all.map((event) => event.sequence_number)).toEqual(all.map((_, index) => index));
    const failed = all.at(-1) as { type: string; response: Record<string, unknown> };
    expect(failed.type).toBe("response.failed");
    expect(failed.response).toMatchObject({
      status: "failed",
      error: { code: "upstream_truncated", message: "Upstream cut" },
      output: [
        { type: "reasoning", status: "completed", content: [{ type: "reasoning_text", text: "Think" }] },
        { type: "message", status: "incomplete", content: [{ type: "output_text", text: "Hello" }] },
      ],
    });
  });
});

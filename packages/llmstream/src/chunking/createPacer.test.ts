import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../types/events.js";
import { createPacer, type PacerOptions } from "./createPacer.js";
import recorded from "./fixtures/stories260K-chunks.json" with { type: "json" };

interface Arrival {
  at: number;
  event: StreamEvent;
}
interface Emission {
  at: number;
  event: StreamEvent;
}

/** Runs a pacer against a timed input in simulated time, calling `take` exactly when it asks. */
function simulate(arrivals: Arrival[], options: PacerOptions = {}): Emission[] {
  const pacer = createPacer(options);
  const out: Emission[] = [];
  let i = 0;
  let now = 0;
  let ended = false;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const wanted = pacer.nextAt();
    const nextArrival = arrivals[i]?.at;
    if (nextArrival === undefined && !ended) {
      pacer.end(now);
      ended = true;
    } else if (nextArrival !== undefined && (wanted === undefined || nextArrival <= wanted)) {
      now = Math.max(now, nextArrival);
      pacer.push(arrivals[i++]!.event, now);
    } else if (wanted !== undefined) now = Math.max(now, wanted);
    else return out;
    for (const event of pacer.take(now)) out.push({ at: now, event });
  }
  throw new Error("Simulation did not finish");
}

const textOf = (events: { event: StreamEvent }[]) =>
  events.map(({ event }) => (event.type === "text" ? event.text : "")).join("");

/** The largest delay between a character's arrival and its emission. */
function maxLag(arrivals: Arrival[], emissions: Emission[]): number {
  const arrivedAt: number[] = [];
  for (const { at, event } of arrivals)
    if (event.type === "text") for (const _ of event.text) arrivedAt.push(at);
  let lag = 0;
  let offset = 0;
  for (const { at, event } of emissions) {
    if (event.type !== "text") continue;
    for (const _ of event.text) lag = Math.max(lag, at - arrivedAt[offset++]!);
  }
  return lag;
}

/** The AI SDK's smoothStream idea, tiny: one word every `delayMs`, whatever the backlog. */
function fixedDelayPacer(arrivals: Arrival[], delayMs = 10): Emission[] {
  const words = arrivals
    .map((a) => (a.event.type === "text" ? a.event.text : ""))
    .join("")
    .match(/\S+\s*|\s+/g)!;
  const out: Emission[] = [];
  let now = 0;
  let available = 0;
  let arrivedText = "";
  let emitted = 0;
  let i = 0;
  for (const word of words) {
    // A word can go out once it has fully arrived.
    while (available < emitted + word.length) {
      const arrival = arrivals[i++]!;
      now = Math.max(now, arrival.at);
      arrivedText += arrival.event.type === "text" ? arrival.event.text : "";
      available = arrivedText.length;
    }
    out.push({ at: now, event: { type: "text", text: word } });
    emitted += word.length;
    now += delayMs;
  }
  return out;
}

const tokens = recorded.recordings.flatMap((r) => r.chunks);
const text = (value: string): StreamEvent => ({ type: "text", text: value });

describe("createPacer", () => {
  it("keeps up with a 1000 tokens/s burst where a fixed delay falls seconds behind", () => {
    const arrivals = tokens.map((token, i) => ({ at: i, event: text(token) })); // 600 tokens in 600 ms
    const paced = simulate(arrivals);
    expect(textOf(paced)).toBe(tokens.join(""));
    expect(maxLag(arrivals, paced)).toBeLessThanOrEqual(150);
    const fixed = fixedDelayPacer(arrivals);
    expect(textOf(fixed)).toBe(tokens.join(""));
    expect(maxLag(arrivals, fixed)).toBeGreaterThan(2000);
  });

  it("types a slow stream evenly, a grapheme or two at a time", () => {
    // 20 tokens/s of about five characters: 100 characters per second.
    const arrivals = tokens.slice(0, 60).map((token, i) => ({ at: i * 50, event: text(token) }));
    const paced = simulate(arrivals);
    expect(textOf(paced)).toBe(tokens.slice(0, 60).join(""));
    expect(maxLag(arrivals, paced)).toBeLessThanOrEqual(150);
    const steady = paced.filter((e) => e.at > 1000 && e.at < 2800);
    const gaps = steady.slice(1).map((e, i) => e.at - steady[i]!.at);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const deviation = Math.sqrt(gaps.reduce((a, b) => a + (b - mean) ** 2, 0) / gaps.length);
    expect(steady.every((e) => e.event.type === "text" && Array.from(e.event.text).length <= 3)).toBe(true);
    // Evenly spaced: pauses close to the arrival rate (about 10 ms per character), no bursts.
    expect(mean).toBeGreaterThan(6);
    expect(deviation / mean).toBeLessThan(0.5);
  });

  it("keeps every other event in place and ends with done after all text", () => {
    const done = { type: "done" } as unknown as StreamEvent;
    const arrivals: Arrival[] = [
      { at: 0, event: { type: "reasoning", text: "hmm, let me see" } },
      { at: 5, event: text("The answer") },
      { at: 6, event: { type: "tool_call", index: 0, id: "a", name: "f", arguments: "{}" } },
      { at: 7, event: text(" is 42.") },
      { at: 8, event: done },
    ];
    const types = simulate(arrivals).map((e) => e.event.type);
    expect(types.indexOf("tool_call")).toBeGreaterThan(types.lastIndexOf("reasoning"));
    expect(types.at(-1)).toBe("done");
    expect(types.indexOf("tool_call")).toBeLessThan(types.lastIndexOf("text"));
  });

  it("holds the lag bound and the exact text for random bursty streams, grapheme or word", () => {
    const arrivalsArbitrary = fc
      .array(
        fc.record({
          gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 400 })),
          token: fc.constantFrom(...tokens, "👩‍💻", "👍", "🏽", "e", "\u0301", " 我们", "是学生。", "\n\n"),
        }),
        { maxLength: 300 },
      )
      .map((items) => {
        let at = 0;
        return items.map(({ gap, token }) => ({ at: (at += gap), event: text(token) }));
      });
    fc.assert(
      fc.property(
        arrivalsArbitrary,
        fc.constantFrom("grapheme" as const, "word" as const),
        (arrivals, by) => {
          const paced = simulate(arrivals, { by, maxLagMs: 150 });
          expect(textOf(paced)).toBe(arrivals.map((a) => (a.event as { text: string }).text).join(""));
          expect(maxLag(arrivals, paced)).toBeLessThanOrEqual(150);
        },
      ),
      { numRuns: 150 },
    );
  });
});

import { describe, expect, it } from "vitest";
import { createStartGate } from "./createStartGate.js";

/** A gate on a fake clock: each start costs `costMs`; turns run when the test says. */
function fakeGate(budgetMs: number, costMs: number) {
  let clock = 0;
  const turns: (() => void)[] = [];
  const gate = createStartGate({ budgetMs, now: () => clock, nextTurn: (run) => turns.push(run) });
  const started: number[] = [];
  const enqueue = (id: number) =>
    gate(() => {
      started.push(id);
      clock += costMs;
    });
  const runTurn = () => {
    const run = turns.shift();
    if (run === undefined) throw new Error("no turn scheduled");
    run();
  };
  return { enqueue, runTurn, started, turns };
}

describe("createStartGate", () => {
  it("starts nothing synchronously: the first start waits for the next turn", () => {
    const g = fakeGate(1, 0.3);
    g.enqueue(1);
    expect(g.started).toEqual([]);
    expect(g.turns).toHaveLength(1);
    g.runTurn();
    expect(g.started).toEqual([1]);
    expect(g.turns).toHaveLength(0);
  });

  it("spends at most the budget per turn, then yields to the event loop, in order", () => {
    const g = fakeGate(1, 0.3);
    for (let i = 0; i < 10; i++) g.enqueue(i);
    expect(g.turns).toHaveLength(1);
    g.runTurn();
    // 0.3 ms each: after four starts (1.2 ms) the budget is spent.
    expect(g.started).toEqual([0, 1, 2, 3]);
    expect(g.turns).toHaveLength(1);
    g.runTurn();
    expect(g.started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    g.runTurn();
    expect(g.started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(g.turns).toHaveLength(0);
  });

  it("makes progress when one start costs more than the whole budget", () => {
    const g = fakeGate(1, 5);
    for (let i = 0; i < 3; i++) g.enqueue(i);
    g.runTurn();
    expect(g.started).toEqual([0]);
    g.runTurn();
    g.runTurn();
    expect(g.started).toEqual([0, 1, 2]);
    expect(g.turns).toHaveLength(0);
  });

  it("takes starts queued during a turn (a start that queues another) in the same order", () => {
    const turns: (() => void)[] = [];
    const gate = createStartGate({ budgetMs: 10, now: () => 0, nextTurn: (run) => turns.push(run) });
    const started: string[] = [];
    gate(() => {
      started.push("a");
      gate(() => started.push("c"));
    });
    gate(() => started.push("b"));
    (turns.shift() as () => void)();
    expect(started).toEqual(["a", "b", "c"]);
    expect(turns).toHaveLength(0);
  });

  it("with the real event loop, work queued by one turn runs before the next turn", async () => {
    const gate = createStartGate({ budgetMs: 0 });
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 3; i++)
        gate(() => {
          order.push(`start ${i}`);
          setImmediate(() => {
            order.push(`after ${i}`);
            if (i === 2) resolve();
          });
        });
    });
    expect(order).toEqual(["start 0", "after 0", "start 1", "after 1", "start 2", "after 2"]);
  });
});

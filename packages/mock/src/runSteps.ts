import type { ServerResponse } from "node:http";
import type { MockRequestRecord } from "./MockRequestRecord.js";
import type { ScenarioResponse, Step } from "./Scenario.js";

/** Resolves after `ms` (or one event-loop turn for 0), or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      if (ms === 0) clearImmediate(immediate);
      else clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const immediate = ms === 0 ? setImmediate(done) : undefined;
    const timer = ms === 0 ? undefined : setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Waits for the socket buffer to drain so a slow client slows the writer (bounded memory). */
function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    res.once("drain", done);
    signal.addEventListener("abort", done, { once: true });
  });
}

function destroySocket(res: ServerResponse, record: MockRequestRecord): void {
  record.serverDestroyed = true;
  const socket = res.socket;
  // resetAndDestroy sends a TCP RST, the closest thing to a crashed upstream.
  if (socket && typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
  else (socket ?? res).destroy();
}

async function write(
  res: ServerResponse,
  record: MockRequestRecord,
  data: string | Uint8Array,
  signal: AbortSignal,
): Promise<void> {
  const length = typeof data === "string" ? Buffer.byteLength(data) : data.byteLength;
  if (length === 0 || signal.aborted) return;
  const flushed = res.write(data);
  record.writes += 1;
  record.bytesWritten += length;
  if (!flushed) await drained(res, signal);
}

async function runStep(
  res: ServerResponse,
  record: MockRequestRecord,
  step: Step,
  signal: AbortSignal,
): Promise<"continue" | "stop"> {
  if ("write" in step) {
    await write(res, record, typeof step.write === "function" ? step.write() : step.write, signal);
  } else if ("delay" in step) {
    await sleep(step.delay, signal);
  } else if ("keepAlive" in step) {
    const { everyMs, write: comment, forMs } = step.keepAlive;
    const until = forMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + forMs;
    while (!signal.aborted && performance.now() < until) {
      await sleep(Math.min(everyMs, Math.max(0, until - performance.now())), signal);
      if (performance.now() < until) await write(res, record, comment, signal);
    }
  } else if ("destroy" in step) {
    destroySocket(res, record);
    return "stop";
  } else {
    res.end();
    return "stop";
  }
  return "continue";
}

/**
 * Plays a scenario's steps onto `res`. `signal` aborts when the connection closes, so nothing is
 * written after the client went away and `record.writes` shows how far the script got.
 */
export async function runSteps(
  res: ServerResponse,
  response: ScenarioResponse,
  record: MockRequestRecord,
  signal: AbortSignal,
): Promise<void> {
  const [first] = response.steps;
  if (first !== undefined && "destroy" in first) {
    // Dropping the connection before any header byte imitates a crashed or restarting upstream.
    destroySocket(res, record);
    return;
  }
  const status = response.status ?? 200;
  res.writeHead(status, response.headers ?? {});
  record.status = status;
  res.flushHeaders();
  for (const step of response.steps) {
    if (signal.aborted) return;
    if ((await runStep(res, record, step, signal)) === "stop") return;
  }
  if (!signal.aborted) res.end();
}

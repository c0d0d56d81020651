import type { BodyPushAccess, Transport, TransportResponse } from "llmstream";

/** Bytes of the body's end kept to look for the marker: `data: [DONE]` plus line ends. */
const TAIL_BYTES = 32;
const DONE_AT_END = /data: ?\[DONE\]\s*$/;

/**
 * Wraps a transport so the benchmark can tell whether an OpenAI SSE stream really ended with
 * `data: [DONE]`: the core accepts a finish reason without it (lenient, right for chat), but a
 * benchmark that counted such a stream as a success would count a server that died after the finish
 * chunk as healthy. Only the last bytes seen are kept (no copy for chunks of 32 bytes or more), and
 * the body's synchronous `take`/`wait` access is passed through, so the core's fast path is intact.
 */
export function watchEndMarker(base: Transport): { transport: Transport; seen(): boolean } {
  let tail: Uint8Array | string = "";
  const note = (chunk: Uint8Array | string) => {
    if (typeof chunk === "string")
      tail = `${typeof tail === "string" ? tail : Buffer.from(tail).toString("latin1")}${chunk}`.slice(
        -TAIL_BYTES,
      );
    else if (chunk.byteLength >= TAIL_BYTES || typeof tail === "string")
      tail = chunk.byteLength >= TAIL_BYTES ? chunk.subarray(-TAIL_BYTES) : chunk;
    else {
      const joined = new Uint8Array(tail.byteLength + chunk.byteLength);
      joined.set(tail);
      joined.set(chunk, tail.byteLength);
      tail = joined.subarray(-TAIL_BYTES);
    }
  };
  const transport: Transport = async (request) => {
    tail = "";
    const response = await base(request);
    const inner = response.body;
    const body: AsyncIterable<Uint8Array | string> = {
      [Symbol.asyncIterator]() {
        const it = inner[Symbol.asyncIterator]() as AsyncIterator<Uint8Array | string> &
          Partial<BodyPushAccess>;
        const wrapped: AsyncIterator<Uint8Array | string> & Partial<BodyPushAccess> = {
          next: () =>
            it.next().then((step) => {
              if (step.done !== true) note(step.value);
              return step;
            }),
        };
        if (it.return !== undefined)
          wrapped.return = (value) => (it.return as NonNullable<typeof it.return>)(value);
        const take = it.take;
        if (take !== undefined) {
          wrapped.take = () => {
            const chunk = take.call(it);
            if (chunk !== undefined) note(chunk);
            return chunk;
          };
        }
        const wait = it.wait;
        if (wait !== undefined) wrapped.wait = (wake) => wait.call(it, wake);
        return wrapped;
      },
    };
    return { ...response, body } satisfies TransportResponse;
  };
  return {
    transport,
    seen: () => DONE_AT_END.test(typeof tail === "string" ? tail : Buffer.from(tail).toString("latin1")),
  };
}

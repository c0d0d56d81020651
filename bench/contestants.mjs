// The clients compared by bench/client.mjs. Each takes (baseURL, options) and returns the number of
// content deltas it delivered, calling onText(text) for each one. Each loads its library on first
// use, so a process that measures one client (the RSS run) holds only that client's modules.
import http from "node:http";

const agent = new http.Agent({ keepAlive: true });
const messages = [{ role: "user", content: "bench" }];

/** The floor: node:http, split on blank lines, JSON.parse, read the content. Nothing else. */
export function floor(baseURL, { headers = {}, onText }) {
  return new Promise((resolve, reject) => {
    let count = 0;
    floorRequest(baseURL, headers, {
      onContent(content) {
        count++;
        onText?.(content);
      },
      onEnd: () => resolve(count),
      onError: reject,
    });
  });
}

/**
 * The floor's parse, handed out through the smallest async iterator (a queue and one waiting
 * promise) and read with `for await`: what delivering through any async-iterable API costs over a
 * callback, since the consumer runs only after Node's whole read callback and its microtask queue.
 */
export async function floorForAwait(baseURL, { headers = {}, onText }) {
  const queue = [];
  let waiting;
  let ended = false;
  let failure;
  const settle = () => {
    const waiter = waiting;
    if (waiter === undefined) return;
    waiting = undefined;
    if (queue.length > 0) waiter.resolve({ done: false, value: queue.shift() });
    else if (failure !== undefined) waiter.reject(failure);
    else if (ended) waiter.resolve({ done: true, value: undefined });
    else waiting = waiter;
  };
  floorRequest(baseURL, headers, {
    onContent(content) {
      queue.push(content);
      settle();
    },
    onEnd() {
      ended = true;
      settle();
    },
    onError(error) {
      failure = error;
      settle();
    },
  });
  const contents = {
    [Symbol.asyncIterator]: () => ({
      next() {
        if (queue.length > 0) return Promise.resolve({ done: false, value: queue.shift() });
        return new Promise((resolve, reject) => {
          waiting = { resolve, reject };
          settle();
        });
      },
    }),
  };
  let count = 0;
  for await (const content of contents) {
    count++;
    onText?.(content);
  }
  return count;
}

function floorRequest(baseURL, headers, { onContent, onEnd, onError }) {
  const body = JSON.stringify({ model: "m", messages, stream: true });
  const req = http.request(
    `${baseURL}/chat/completions`,
    { method: "POST", agent, headers: { "content-type": "application/json", ...headers } },
    (res) => {
      res.setEncoding("utf8");
      let pending = "";
      res.on("data", (chunk) => {
        const text = pending + chunk;
        let start = 0;
        for (let end = text.indexOf("\n\n"); end !== -1; end = text.indexOf("\n\n", start)) {
          if (text.startsWith("data: ", start)) {
            const data = text.slice(start + 6, end);
            if (data !== "[DONE]") {
              const content = JSON.parse(data).choices[0]?.delta?.content;
              if (content) onContent(content);
            }
          }
          start = end + 2;
        }
        pending = text.slice(start);
      });
      res.on("end", onEnd);
      res.on("error", onError);
    },
  );
  req.on("error", onError);
  req.end(body);
}

let ours;
export async function llmstream(baseURL, { headers = {}, onText }) {
  ours ??= await import("llmstream");
  const stream = ours.streamChat({ baseURL, model: "m", messages, headers, retry: 0 });
  let count = 0;
  for await (const event of stream) {
    if (event.type === "text") {
      count++;
      onText?.(event.text);
    } else if (event.type === "error") throw event.error;
  }
  return count;
}

/** llmstream read with `forEach`: each event handed over synchronously, inside the read that carried it. */
export async function llmstreamForEach(baseURL, { headers = {}, onText }) {
  ours ??= await import("llmstream");
  const stream = ours.streamChat({ baseURL, model: "m", messages, headers, retry: 0 });
  let count = 0;
  await stream.forEach((event) => {
    if (event.type === "text") {
      count++;
      onText?.(event.text);
    }
  });
  return count;
}

const openaiClients = new Map();
export async function openaiNode(baseURL, { headers = {}, onText }) {
  let client = openaiClients.get(baseURL);
  if (client === undefined) {
    const { default: OpenAI } = await import("openai");
    client = new OpenAI({ baseURL, apiKey: "bench", maxRetries: 0 });
    openaiClients.set(baseURL, client);
  }
  const stream = await client.chat.completions.create({ model: "m", messages, stream: true }, { headers });
  let count = 0;
  for await (const chunk of stream) {
    const content = chunk.choices[0]?.delta?.content;
    if (content) {
      count++;
      onText?.(content);
    }
  }
  return count;
}

let aiModules;
export async function aiSdk(baseURL, { headers = {}, onText }) {
  aiModules ??= await Promise.all([import("@ai-sdk/openai-compatible"), import("ai")]);
  const [{ createOpenAICompatible }, { streamText }] = aiModules;
  const provider = createOpenAICompatible({ name: "bench", baseURL, headers });
  const result = streamText({ model: provider("m"), messages, maxRetries: 0 });
  let count = 0;
  for await (const text of result.textStream) {
    count++;
    onText?.(text);
  }
  return count;
}

export const contestants = {
  floor,
  "floor, for await": floorForAwait,
  llmstream,
  "llmstream, forEach": llmstreamForEach,
  "openai-node": openaiNode,
  "ai-sdk": aiSdk,
};

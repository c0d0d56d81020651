import { SseParserStream } from "llmstream/sse";

// Any SSE body: here an OpenAI-compatible stream, read with fetch and nothing else of llmstream.
const response = await fetch("http://localhost:11434/v1/chat/completions", {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ model: "llama3", stream: true, messages: [{ role: "user", content: "Hi" }] }),
});
const events = response.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new SseParserStream());
for await (const { data } of events) {
  if (data === "[DONE]") break;
  process.stdout.write(JSON.parse(data).choices[0]?.delta?.content ?? "");
}
console.log();

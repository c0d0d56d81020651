import { streamChat } from "llmstream";

const stream = streamChat({
  baseURL: "http://localhost:11434/v1", // Ollama; any OpenAI-compatible server
  model: "llama3",
  messages: [{ role: "user", content: "Explain streaming in one paragraph." }],
});
for await (const event of stream) if (event.type === "text") process.stdout.write(event.text);
const { text, usage, metrics } = await stream.result; // the whole answer, tokens (with their source), timings
console.log(`\n${usage.completionTokens} tokens (${usage.source}) · TTFT ${metrics.ttftMs?.toFixed(0)} ms`);

import { disposeEngine, streamEngineChat } from "@llmstream/engine";

const stream = streamEngineChat({
  modelFile: "model.gguf", // any GGUF file; `llmstream pull` fetches one
  messages: [{ role: "user", content: "Once upon a time" }],
  maxTokens: 40,
});
for await (const event of stream) if (event.type === "text") process.stdout.write(event.text);
const { usage } = await stream.result;
console.log(`\n${usage.completionTokens} tokens (${usage.source})`);
await disposeEngine(); // frees the model; the process can then exit

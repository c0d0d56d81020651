import { streamChat } from "llmstream";
import { createJsonlSink, createLogHook, createSqliteSink, listRequests, openLogDatabase } from "@llmstream/log";

const sqlite = createSqliteSink(); // <llmstream home>/logs.db
const sinks = [sqlite, createJsonlSink({ path: "requests.jsonl" })];
const onFinish = createLogHook({
  sinks,
  source: "chat",
  logContent: true,
  onSinkError: ({ message }) => console.error(message),
});
const stream = streamChat({
  baseURL: "http://localhost:11434/v1",
  model: "llama3",
  messages: [{ role: "user", content: "Hello" }],
  onFinish,
});
await stream.result;
for (const sink of sinks) await sink.close();

const db = openLogDatabase(sqlite.path);
for (const record of listRequests(db, { limit: 5 })) console.log(record.model, record.ttftMs, record.finishReason);
db.close();

import type { Command } from "commander";
import type { ChatIO } from "../chat/ChatSession.js";
import {
  defaultFirstTokenTimeoutSeconds,
  defaultIdleTimeoutSeconds,
  defaultModel,
  defaultOllamaBaseURL,
  defaultOpenAIBaseURL,
  type RawChatOptions,
} from "../chat/resolveChatOptions.js";
import { runChatCommand } from "../chat/runChatCommand.js";

const helpText = `
Prompt: the piped text first (when stdin is not a terminal), then a blank line, then the arguments.
Without prompt arguments stdin is the prompt and is read to its end. With them, a file redirect
(< notes.txt) is read to its end, and a pipe (cat notes.txt |) only while it delivers: a pipe that
stays silent for 0.4 s, at the start or after a chunk, is left unread, so an open stdin that nobody
writes to (a parent process's default spawn stdio, ssh) never holds the answer up.
Output: the answer on stdout as it arrives. On a terminal a spinner waits on stderr, reasoning is
shown dimmed (colours off with NO_COLOR) and markdown is rendered; to a pipe or file only the answer
text is written, as received.

No server? With no --base-url (or its environment variables) and nothing listening at the default
URL, chat runs a local GGUF model in the embedded engine (--model-file, LLMSTREAM_MODEL_FILE, the
newest model in LLMSTREAM_MODELS_DIR, see llmstream models) and says so on stderr. A model without a
chat template (e.g. stories260K) continues the prompt as plain text.

--json writes one event per line on stdout and nothing else:
  {"type":"text","text":…}  {"type":"reasoning","text":…}
  {"type":"tool_call","index":…,"id":…,"name":…,"arguments":"<json text>"}
  {"type":"usage","usage":{…}}
  then {"type":"done","text":…,"reasoning":…,"finishReason":…,"usage":{…},"metrics":{…},…}
  or   {"type":"error","code":…,"message":…,"status":…}
The text events always add up to exactly the text received, on success and on failure.

Exit codes:
  0    success
  1    any other failure (e.g. a missing or broken model file)
  2    usage error: a bad option value, no prompt
  3    connection: nothing answered at the URL, or the connection broke (the text received is kept)
  4    HTTP: the server answered with an error status
  5    timeout: first token, idle or total
  6    protocol error, truncated answer, or an error reported by the server mid-stream
  130  interrupted (Ctrl-C); the text printed so far is kept
  143  terminated (SIGTERM from timeout, docker stop, systemd): handled like Ctrl-C

Environment:
  LLMSTREAM_BASE_URL, then OPENAI_BASE_URL   server URL (default ${defaultOpenAIBaseURL})
  OLLAMA_HOST                                 Ollama's host[:port], used when none of the above is set
                                              (default ${defaultOllamaBaseURL}; /v1 is added for openai)
  LLMSTREAM_MODEL                             model (default ${defaultModel})
  OPENAI_API_KEY                              API key
  LLMSTREAM_MODEL_FILE, LLMSTREAM_MODELS_DIR  embedded engine model
  LLMSTREAM_HOME, LLMSTREAM_NO_LOG            request log folder, or no log
  NO_COLOR                                    no colours

Examples:
  $ llmstream chat "Why is the sky blue?"
  $ cat notes.txt | llmstream chat "Summarise this"
  $ llmstream chat --base-url http://127.0.0.1:8080/v1 -m qwen2.5 --stats "Hello"
  $ llmstream chat --protocol ollama --json "Hi" | jq -j 'select(.type=="text").text'
  $ llmstream chat --protocol responses --base-url http://localhost:11434/v1 -m qwen3 "Hi"
  $ llmstream chat --no-stream --stats "Count to ten"
  $ llmstream chat -i -s "Answer in one sentence"
  $ llmstream chat --model-file ../shared/models/stories260K.gguf --max-tokens 60 "Once upon a time"
  $ llmstream chat --json --chunk word "Hi" > events.ndjson
`;

/**
 * Registers `llmstream chat [options] [prompt...]` on `program`. The command reports its exit code
 * through `exit.code` (see `ExitCode`), so output drains before the process ends.
 */
export function registerChatCommand(
  program: Command,
  exit: { code: number },
  io: ChatIO = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env },
): Command {
  return program
    .command("chat")
    .description("Send a prompt to an LLM server and stream the answer as it is generated")
    .argument("[prompt...]", "the prompt (piped stdin goes before it)")
    .option("--base-url <url>", `OpenAI-compatible base URL (default: ${defaultOpenAIBaseURL})`)
    .option(
      "--protocol <protocol>",
      'wire protocol: "openai" (/chat/completions), "ollama" (native /api/chat) or "responses" (/responses)',
      undefined,
    )
    .option("-m, --model <name>", `model name (default: ${defaultModel})`)
    .option("--api-key <key>", "API key sent as a bearer token")
    .option("-s, --system <text>", "system prompt")
    .option("--temperature <number>", "sampling temperature")
    .option("--max-tokens <n>", "largest number of tokens to generate")
    .option("--seed <n>", "sampling seed, for reproducible answers")
    .option(
      "--first-token-timeout <seconds>",
      `give up when no token arrived after this long; 0 = never (default: ${defaultFirstTokenTimeoutSeconds})`,
    )
    .option(
      "--idle-timeout <seconds>",
      `give up after this long without a token; 0 = never (default: ${defaultIdleTimeoutSeconds})`,
    )
    .option("--timeout <seconds>", "give up after this long in total; 0 = never (default: 0)")
    .option(
      "--retries <n>",
      "retries before the first token, for connection errors, 429 and 5xx (default: 2)",
    )
    .option("--json", "write NDJSON events on stdout instead of text")
    .option("--stats", "print one line of timing and token figures on stderr at the end")
    .option("--no-stream", "ask for the whole answer at once, without streaming")
    .option("-i, --interactive", "multi-turn conversation with line editing and history")
    .option("--hide-reasoning", "do not show the model's reasoning")
    .option(
      "--think-tags <mode>",
      "inline <think> tags in the answer: auto (split them out), start-in-thinking (the model's template opens the think block: text before </think> is reasoning), off",
    )
    .option(
      "--chunk <unit>",
      "cut the text into whole units before showing it (also --json text events): token, word, line, sentence",
    )
    .option("--smooth", "type the text out at a steady pace (on a terminal only)")
    .option("--render <mode>", "markdown (default on a terminal) or plain")
    .option("--model-file <path>", "run this GGUF model in the embedded engine instead of calling a server")
    .option("--threads <n>", "CPU threads for the embedded engine (default: chosen from the model size)")
    .option("--no-log", "do not record this request in the request log (see llmstream logs)")
    .option("--log-file <path>", "also append each request as a JSON line to this file")
    .option("--no-log-content", "record timings and counts but not the prompt and answer")
    .addHelpText("after", helpText)
    .action(async (prompt: string[], raw: RawChatOptions) => {
      exit.code = await runChatCommand(prompt, raw, io);
    });
}

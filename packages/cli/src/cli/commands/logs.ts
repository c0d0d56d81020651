import { existsSync } from "node:fs";
import type { RequestRecord } from "@llmstream/log";
import {
  defaultLogPath,
  deleteRequests,
  getRequest,
  type ListRequestsOptions,
  listRequests,
  openLogDatabase,
  parseSince,
  type RequestFilter,
  type RequestStats,
  requestStats,
} from "@llmstream/log";
import type { Command } from "commander";
import picocolors from "picocolors";
import { formatTable } from "../../format/formatTable.js";
import { type CommandIo, processIo } from "../CommandIo.js";
import { ExitCode } from "../exitCodes.js";
import { inCliTerms } from "../inCliTerms.js";

const helpText = `
Every chat request (success, error or Ctrl-C) is kept in a SQLite database (see "llmstream logs path";
the folder is LLMSTREAM_HOME, else your data folder), with its prompt and answer. "llmstream logs"
lists the newest first; its options are in "llmstream logs list --help". Keep the figures without
the text with chat --no-log-content; turn logging off with chat --no-log or LLMSTREAM_NO_LOG=1.
Delete old requests with "logs prune --older-than 30d", or all with "logs clear".

Examples:
  $ llmstream logs -n 50 --since 2h
  $ llmstream logs --errors --model qwen3:0.6b
  $ llmstream logs --json | jq -r 'select(.ttftMs > 1000).id'
  $ llmstream logs show 01JDQ7ZK
  $ llmstream logs stats --since 1d
  $ llmstream logs prune --older-than 30d
  $ sqlite3 "$(llmstream logs path)" 'SELECT model, avg(ttft_ms) FROM requests GROUP BY model'
`;

interface FilterFlags {
  model?: string;
  since?: string;
  errors?: boolean;
  json?: boolean;
}

type Exit = { code: number };

/**
 * Registers `llmstream logs [list]` (the default), `logs show ID`, `logs stats`, `logs prune`, `logs clear`
 * and `logs path` on `program`.
 * Tables go to stdout, coloured only on a terminal without NO_COLOR; `--json` writes one JSON object
 * per line. Exit codes: 0, 1 (no such request or unreadable log), 2 (bad option value).
 */
export function registerLogsCommand(program: Command, exit: Exit, io: CommandIo = processIo()): Command {
  const colors = colorsFor(io);
  const write = (lines: string[]) => writeLines(io, lines);
  const logs = program
    .command("logs")
    .description("List, show and summarise logged requests")
    .addHelpText("after", helpText);

  // The default subcommand, so that `logs --json` and `logs stats --json` stay separate options.
  logs
    .command("list", { isDefault: true })
    .description("List logged requests, newest first (the default)")
    .option("-n, --limit <n>", "how many requests", "20")
    .option("--model <name>", "only this requested model")
    .option("--since <when>", "only requests since a duration ago (30m, 1h, 2d, 1w) or an ISO date")
    .option("--errors", "only failed requests (not your own aborts)")
    .option("--json", "one JSON record per line")
    .addHelpText(
      "after",
      `
Examples:
  $ llmstream logs list -n 50 --since 2h
  $ llmstream logs --errors --model qwen3:0.6b --json | jq -r .errorMessage`,
    )
    .action((flags: FilterFlags & { limit: string }) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 0) {
        exit.code = usage(io, `-n must be a whole number, got "${flags.limit}"`);
        return;
      }
      exit.code = withDatabase(io, flags.json === true, (db) => {
        const records = listRequests(db, { ...filterOf(flags), limit } satisfies ListRequestsOptions);
        if (flags.json) write(records.map((record) => JSON.stringify(record)));
        else if (records.length === 0) io.stderr.write("No requests match.\n");
        else write(renderTable(colors, requestColumns(colors), records));
      });
    });

  logs
    .command("show")
    .description("Print one request with every field and its content")
    .argument("<id>", "the request id, or a unique start of it")
    .option("--json", "print the record as JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ llmstream logs show 01JDQ7ZK
  $ llmstream logs show 01JDQ7ZK --json | jq .metrics`,
    )
    .action((id: string, flags: { json?: boolean }) => {
      exit.code = withDatabase(io, false, (db) => {
        const record = getRequest(db, id);
        if (record === undefined) {
          io.stderr.write(`No logged request has an id starting with "${id}": see "llmstream logs"\n`);
          return ExitCode.failure;
        }
        write(flags.json ? [JSON.stringify(record)] : renderRecord(colors, record));
      });
    });

  logs
    .command("stats")
    .description("Count, error rate, TTFT/TPOT percentiles, tokens/s and tokens by model and endpoint")
    .option("--model <name>", "only this requested model")
    .option("--since <when>", "only requests since a duration ago (30m, 1h, 2d, 1w) or an ISO date")
    .option("--json", "one JSON object per model and endpoint")
    .addHelpText(
      "after",
      `
Examples:
  $ llmstream logs stats --since 1d
  $ llmstream logs stats --model llama3 --json`,
    )
    .action((flags: FilterFlags) => {
      exit.code = withDatabase(io, flags.json === true, (db) => {
        const stats = requestStats(db, filterOf(flags));
        if (flags.json) {
          write(stats.map((entry) => JSON.stringify(entry)));
          return;
        }
        if (stats.length === 0) {
          io.stderr.write("No requests match.\n");
          return;
        }
        write(renderTable(colors, statsColumns(colors), stats));
        io.stdout.write(
          `\nPercentiles are exact (linear interpolation) over the requests that reached that point; ERR% leaves out aborts.\n`,
        );
      });
    });

  logs
    .command("prune")
    .description("Delete the requests older than a duration (30d) or a date, with their prompts and answers")
    .requiredOption("--older-than <when>", "a duration back from now (30m, 12h, 30d, 1w) or an ISO date")
    .addHelpText(
      "after",
      `
Examples:
  $ llmstream logs prune --older-than 30d
  $ llmstream logs prune --older-than 2026-01-01`,
    )
    .action((flags: { olderThan: string }) => {
      exit.code = withDatabase(
        io,
        false,
        (db) => {
          const before = parseSince(flags.olderThan);
          const deleted = deleteRequests(db, { before });
          io.stdout.write(
            `Deleted ${deleted} request${deleted === 1 ? "" : "s"} older than ${new Date(before).toISOString()}.\n`,
          );
        },
        "--older-than",
      );
    });

  logs
    .command("clear")
    .description("Delete every logged request, with its prompt and answer")
    .action(() => {
      exit.code = withDatabase(io, false, (db) => {
        const deleted = deleteRequests(db);
        io.stdout.write(`Deleted ${deleted} request${deleted === 1 ? "" : "s"}; the log is empty.\n`);
      });
    });

  logs
    .command("path")
    .description("Print the request log's file path")
    .addHelpText(
      "after",
      `
Examples:
  $ llmstream logs path
  $ sqlite3 "$(llmstream logs path)" 'SELECT model, count(*) FROM requests GROUP BY model'`,
    )
    .action(() => {
      io.stdout.write(`${defaultLogPath({ env: io.env })}\n`);
      exit.code = ExitCode.ok;
    });

  return logs;
}

function filterOf(flags: FilterFlags): RequestFilter {
  const filter: RequestFilter = {};
  if (flags.model !== undefined) filter.model = flags.model;
  if (flags.since !== undefined) filter.since = flags.since;
  if (flags.errors) filter.errorsOnly = true;
  return filter;
}

function usage(io: CommandIo, message: string): number {
  io.stderr.write(`${message}\n`);
  return ExitCode.usage;
}

/**
 * Opens the log, runs `body`, closes it; turns a missing log and bad input into messages and exit codes.
 * `timeFlag` is the flag whose value the library calls "the time" (parseSince).
 */
function withDatabase(
  io: CommandIo,
  quiet: boolean,
  /** Returns an exit code, or nothing for success. */
  body: (db: ReturnType<typeof openLogDatabase>) => unknown,
  timeFlag = "--since",
): number {
  const path = defaultLogPath({ env: io.env });
  if (!existsSync(path)) {
    if (!quiet) io.stderr.write(`No requests logged yet (the log would be at ${path}).\n`);
    return ExitCode.ok;
  }
  let db: ReturnType<typeof openLogDatabase>;
  try {
    db = openLogDatabase(path);
  } catch (error) {
    io.stderr.write(`Cannot open the request log ${path}: ${(error as Error).message}\n`);
    return ExitCode.failure;
  }
  try {
    const code = body(db);
    return typeof code === "number" ? code : ExitCode.ok;
  } catch (error) {
    // parseSince and getRequest throw these for input the user can fix.
    if (error instanceof TypeError || error instanceof RangeError)
      return usage(io, inCliTerms(error.message, [["Cannot read the time", `Cannot read ${timeFlag}`]]));
    throw error;
  } finally {
    db.close();
  }
}

function writeLines(io: CommandIo, lines: string[]): void {
  if (lines.length > 0) io.stdout.write(`${lines.join("\n")}\n`);
}

type Colors = ReturnType<typeof picocolors.createColors>;

/** Colours on a terminal, unless NO_COLOR or TERM=dumb says otherwise. */
function colorsFor(io: CommandIo): Colors {
  return picocolors.createColors(
    io.stdout.isTTY === true && (io.env.NO_COLOR ?? "") === "" && io.env.TERM !== "dumb",
  );
}

interface Column<T> {
  title: string;
  right?: boolean;
  value: (row: T) => string;
  color?: (row: T, text: string) => string;
}

/** The header (bold) and one line per row, through the CLI's one table layout. */
function renderTable<T>(colors: Colors, columns: Column<T>[], rows: T[]): string[] {
  return formatTable(
    [columns.map((column) => column.title), ...rows.map((row) => columns.map((column) => column.value(row)))],
    {
      align: columns.map((column) => (column.right ? "right" : "left")),
      style: (text, r, i) => {
        if (r === 0) return colors.bold(text);
        const color = columns[i]?.color;
        const row = rows[r - 1];
        return color === undefined || row === undefined ? text : color(row, text);
      },
    },
  );
}

const requestColumns = (colors: Colors): Column<RequestRecord>[] => [
  { title: "ID", value: (r) => r.id, color: (_r, text) => colors.dim(text) },
  { title: "TIME", value: (r) => localTime(r.startedAt) },
  { title: "MODEL", value: (r) => r.model },
  { title: "HOST", value: (r) => r.host },
  {
    title: "STATUS",
    value: (r) => r.errorCode ?? r.finishReason,
    color: (r, text) =>
      r.errorCode === undefined
        ? r.finishReason === "stop"
          ? colors.green(text)
          : colors.yellow(text)
        : r.errorCode === "aborted"
          ? colors.yellow(text)
          : colors.red(text),
  },
  { title: "IN/OUT", right: true, value: (r) => `${r.promptTokens}/${r.completionTokens}` },
  { title: "TTFT", right: true, value: (r) => ms(r.ttftMs) },
  { title: "TOK/S", right: true, value: (r) => fixed(r.tokensPerSecond, 1) },
  { title: "E2E", right: true, value: (r) => ms(r.e2eMs) },
];

const statsColumns = (colors: Colors): Column<RequestStats>[] => [
  { title: "MODEL", value: (s) => s.model },
  { title: "HOST", value: (s) => s.host },
  { title: "COUNT", right: true, value: (s) => String(s.count) },
  {
    title: "ERR%",
    right: true,
    value: (s) => fixed(s.errorRate * 100, 1),
    color: (s, text) => (s.errors > 0 ? colors.red(text) : text),
  },
  { title: "TTFT p50", right: true, value: (s) => ms(s.ttftP50Ms) },
  { title: "p95", right: true, value: (s) => ms(s.ttftP95Ms) },
  { title: "p99", right: true, value: (s) => ms(s.ttftP99Ms) },
  { title: "TPOT p50", right: true, value: (s) => ms(s.tpotP50Ms) },
  { title: "TOK/S p50", right: true, value: (s) => fixed(s.tokensPerSecondP50, 1) },
  { title: "TOKENS IN", right: true, value: (s) => String(s.promptTokens) },
  { title: "OUT", right: true, value: (s) => String(s.completionTokens) },
];

function renderRecord(colors: Colors, record: RequestRecord): string[] {
  const field = (name: string, value: string | number | undefined) =>
    value === undefined ? [] : [`${colors.bold(`${name}:`.padEnd(18))}${value}`];
  const lines = [
    ...field("id", record.id),
    ...field("started", `${record.startedAt} (${localTime(record.startedAt)} local)`),
    ...field("source", record.source),
    ...field("host", record.host),
    ...field("upstream", record.upstream),
    ...field("protocol", record.protocol),
    ...field("model", record.model),
    ...field("response model", record.responseModel),
    ...field(
      "finish",
      record.rawFinishReason === undefined
        ? record.finishReason
        : `${record.finishReason} (${record.rawFinishReason})`,
    ),
    ...field(
      "error",
      record.errorCode === undefined
        ? undefined
        : colors.red(`${record.errorCode}: ${record.errorMessage ?? ""}`),
    ),
    ...field("http status", record.httpStatus),
    ...field(
      "tokens",
      `${record.promptTokens} in, ${record.completionTokens} out, ${record.totalTokens} total` +
        `${record.reasoningTokens === undefined ? "" : `, ${record.reasoningTokens} reasoning`} (${record.tokenSource})`,
    ),
    ...field("ttft", ms(record.ttftMs)),
    ...field("ttfat", record.ttfatMs === undefined ? undefined : ms(record.ttfatMs)),
    ...field("tpot", ms(record.tpotMs)),
    ...field("tokens/s", fixed(record.tokensPerSecond, 2)),
    ...field("e2e", ms(record.e2eMs)),
    ...field(
      "chunk gaps",
      record.chunkGapP50Ms === undefined
        ? undefined
        : `p50 ${ms(record.chunkGapP50Ms)}, p99 ${ms(record.chunkGapP99Ms)}`,
    ),
    ...field("chunks", `${record.chunks} (${record.tokenChunks} with tokens), ${record.attempts} attempt(s)`),
    ...field(
      "server timings",
      record.serverTimings === undefined ? undefined : JSON.stringify(record.serverTimings),
    ),
    ...record.warnings.flatMap((warning) => field("warning", warning)),
  ];
  const content = record.content;
  if (content === undefined) {
    lines.push("", colors.dim("(content not logged)"));
    return lines;
  }
  for (const message of content.messages) {
    const text = typeof message.content === "string" ? message.content : JSON.stringify(message.content);
    lines.push("", colors.cyan(`[${message.role}]`), text);
  }
  if (content.reasoning !== "") lines.push("", colors.cyan("[reasoning]"), colors.dim(content.reasoning));
  lines.push("", colors.cyan("[answer]"), content.text);
  for (const call of content.toolCalls) lines.push(colors.cyan(`[tool call] ${call.name}`), call.arguments);
  return lines;
}

function ms(value: number | undefined): string {
  if (value === undefined) return "-";
  if (value < 10) return `${value.toFixed(1)}ms`;
  return value < 1000 ? `${Math.round(value)}ms` : `${(value / 1000).toFixed(2)}s`;
}

function fixed(value: number | undefined, digits: number): string {
  return value === undefined ? "-" : value.toFixed(digits);
}

/** `YYYY-MM-DD HH:MM:SS` in the local time zone. */
function localTime(iso: string): string {
  const date = new Date(iso);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

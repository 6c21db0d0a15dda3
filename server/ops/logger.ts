/**
 * Structured JSON logs, one object per line: `{"time","level","msg",...fields}`.
 * @module
 */
import type { LogLevel } from "./config.ts";

/** Where finished log lines go. */
export type LogSink = (line: string, level: Exclude<LogLevel, "silent">) => void;

/** Fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** A leveled JSON logger. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Whether a line at `level` would be written (to skip building costly fields). */
  enabled(level: Exclude<LogLevel, "silent">): boolean;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
  /** Writes out lines still buffered (call before exit). */
  flush(): void;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lowest level written. @default "info" */
  level?: LogLevel;
  /**
   * Where each finished line goes.
   * @default stdout, batched every `flushMs` (errors to stderr at once)
   */
  sink?: LogSink;
  /** Longest time a line waits in the default sink's buffer. @default 50 */
  flushMs?: number;
  /** Clock for the `time` field. @default Date.now */
  now?: () => number;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };
const encoder = new TextEncoder();

function writeAll(out: typeof Deno.stdout, bytes: Uint8Array): void {
  try {
    let written = 0;
    while (written < bytes.length) written += out.writeSync(bytes.subarray(written));
  } catch {
    // A closed stdout must not take the service down.
  }
}

/**
 * A stdout sink that batches lines: one write per `flushMs` (or per 64 KB) instead of one
 * syscall per request line. Error lines go to stderr at once, after what is pending.
 */
function bufferedStdioSink(flushMs: number): { sink: LogSink; flush(): void } {
  let pending: string[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  function flush(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const text = pending.join("");
    pending = [];
    size = 0;
    writeAll(Deno.stdout, encoder.encode(text));
  }
  function sink(line: string, level: Exclude<LogLevel, "silent">): void {
    if (level === "error") {
      flush();
      writeAll(Deno.stderr, encoder.encode(line + "\n"));
      return;
    }
    pending.push(line + "\n");
    size += line.length + 1;
    if (size >= 65_536) return flush();
    if (timer === undefined) {
      timer = setTimeout(flush, flushMs);
      // Logging alone must not keep the process alive; shutdown calls flush().
      Deno.unrefTimer(timer as unknown as number);
    }
  }
  return { sink, flush };
}

function errorToJson(e: Error): LogFields {
  const out: LogFields = { name: e.name, message: e.message };
  if (e.stack) out.stack = e.stack;
  if (e.cause instanceof Error) out.cause = errorToJson(e.cause);
  return out;
}

function safeStringify(record: LogFields): string {
  try {
    return JSON.stringify(record, (_k, v) => {
      if (v instanceof Error) return errorToJson(v);
      if (typeof v === "bigint") return v.toString();
      return v;
    });
  } catch {
    return JSON.stringify({ time: record.time, level: record.level, msg: record.msg });
  }
}

/** Creates a JSON-lines logger. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? "info"];
  const buffered = options.sink ? undefined : bufferedStdioSink(options.flushMs ?? 50);
  const sink = options.sink ?? buffered!.sink;
  const flush = buffered ? buffered.flush : () => {};
  const now = options.now ?? Date.now;

  function make(base: LogFields | undefined): Logger {
    function write(level: Exclude<LogLevel, "silent">, msg: string, fields?: LogFields): void {
      if (RANK[level] < threshold) return;
      const record: LogFields = { time: new Date(now()).toISOString(), level, msg };
      if (base) Object.assign(record, base);
      if (fields) Object.assign(record, fields);
      sink(safeStringify(record), level);
    }
    return {
      debug: (msg, fields) => write("debug", msg, fields),
      info: (msg, fields) => write("info", msg, fields),
      warn: (msg, fields) => write("warn", msg, fields),
      error: (msg, fields) => write("error", msg, fields),
      enabled: (level) => RANK[level] >= threshold,
      child: (fields) => make({ ...base, ...fields }),
      flush,
    };
  }
  return make(undefined);
}

/** A logger that keeps its lines in memory, for tests. */
export function createMemoryLogger(
  level: LogLevel = "debug",
): Logger & { lines: LogFields[] } {
  const lines: LogFields[] = [];
  const logger = createLogger({ level, sink: (line) => lines.push(JSON.parse(line)) });
  return Object.assign(logger, { lines });
}

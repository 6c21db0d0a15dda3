/**
 * Line-delimited JSON between the WebSocket benchmark's coordinator and its server and client
 * processes (one JSON object per line on stdin / stdout).
 * @module
 */

/** Reads JSON lines from a byte stream. */
export class JsonLines {
  #queue: Record<string, unknown>[] = [];
  #waiters: (() => void)[] = [];
  #ended = false;
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array<ArrayBuffer>>) {
    this.done = this.#pump(stream);
  }

  async #pump(stream: ReadableStream<Uint8Array<ArrayBuffer>>): Promise<void> {
    let buffer = "";
    try {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        let nl;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (line.startsWith("{")) this.#queue.push(JSON.parse(line));
          for (const w of this.#waiters.splice(0)) w();
        }
      }
    } finally {
      this.#ended = true;
      for (const w of this.#waiters.splice(0)) w();
    }
  }

  /** The next message whose `type` is `type` (earlier other messages are dropped). */
  async next<T = Record<string, unknown>>(type: string, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#queue.findIndex((m) => m.type === type);
      if (i >= 0) return this.#queue.splice(0, i + 1).at(-1) as T;
      if (this.#ended) throw new Error(`Stream ended before a "${type}" message`);
      if (Date.now() > deadline) throw new Error(`Timed out waiting for a "${type}" message`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
      });
      clearTimeout(timer);
    }
  }
}

/** Writes one JSON line to stdout. */
export function emit(message: Record<string, unknown>): void {
  Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(message) + "\n"));
}

/** Sends one JSON line to a child process's stdin. */
export async function command(
  writer: WritableStreamDefaultWriter<Uint8Array>,
  message: Record<string, unknown>,
): Promise<void> {
  await writer.write(new TextEncoder().encode(JSON.stringify(message) + "\n"));
}

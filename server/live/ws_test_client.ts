/**
 * A browser-style WebSocket client for hub tests (the runtime's `WebSocket`, every message
 * recorded, batches unpacked), and the polling helper socket tests wait with.
 * @module
 */
import type { ServerMessage } from "../domain/live_protocol.ts";

/** A browser-style client that records every message. */
export class Client {
  readonly messages: ServerMessage[] = [];
  batches = 0;
  readonly socket: WebSocket;
  readonly closed: Promise<CloseEvent>;
  #waiters: (() => void)[] = [];

  private constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.onmessage = (e) => {
      const message: ServerMessage = JSON.parse(e.data);
      // Batches are unpacked: tests see the events one by one, as clients must handle them.
      if (message.type === "batch") {
        this.batches++;
        this.messages.push(...message.events);
      } else this.messages.push(message);
      for (const w of this.#waiters.splice(0)) w();
    };
    this.closed = new Promise((resolve) => {
      this.socket.onclose = (e) => {
        resolve(e);
        for (const w of this.#waiters.splice(0)) w();
      };
    });
  }

  static async open(url: string): Promise<Client> {
    const client = new Client(url);
    await client.until((m) => m.some((x) => x.type === "welcome"));
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /**
   * Waits (at most `ms`) until `done(messages)` holds. The deadline only bounds a hang: a slow
   * machine may take several times longer than this one to deliver.
   */
  async until(done: (m: ServerMessage[]) => boolean, ms = 10_000): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`Timed out; got ${JSON.stringify(this.messages.map((m) => m.type))}`)),
        ms,
      );
    });
    try {
      while (!done(this.messages)) {
        if (this.socket.readyState === WebSocket.CLOSED) throw new Error("Socket closed");
        await Promise.race([new Promise<void>((r) => this.#waiters.push(r)), deadline]);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  events(): number[] {
    return this.messages.flatMap((m) =>
      m.type === "odds" || m.type === "value_bet" ? [m.event_id] : []
    );
  }

  of<T extends ServerMessage["type"]>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.messages.filter((m) => m.type === type) as Extract<ServerMessage, { type: T }>[];
  }

  async close(): Promise<void> {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.close();
    await this.closed;
  }
}

/** Sends `subscribe` and waits for its `subscribed` answer. */
export async function subscribe(client: Client, message: Record<string, unknown>): Promise<void> {
  const before = client.of("subscribed").length;
  client.send({ type: "subscribe", ...message });
  await client.until(() => client.of("subscribed").length > before);
}

/**
 * Polls `check` every few ms (sockets settle asynchronously) for at most `ms` (a bound on a
 * hang, generous for a slow machine).
 */
export async function eventually(check: () => boolean, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!check()) {
    if (performance.now() > end) throw new Error("Condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}

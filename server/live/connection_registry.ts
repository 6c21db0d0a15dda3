/**
 * The hub's connection registry: open connections, connections per client address (counted
 * from admission until the socket closes), and sockets the hub closed whose peer is not done.
 * @module
 */
import type { Admission, Connection } from "./hub_connection.ts";

export type { Admission };

const OPEN = 1;

/** One address's share of the per-address limit; released once. */
class AddressPermit implements Admission {
  #released = false;
  readonly #perAddress: Map<string, number>;

  constructor(readonly address: string, perAddress: Map<string, number>) {
    this.#perAddress = perAddress;
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    const left = (this.#perAddress.get(this.address) ?? 1) - 1;
    if (left <= 0) this.#perAddress.delete(this.address);
    else this.#perAddress.set(this.address, left);
  }
}

/** Open connections and the addresses they come from. */
export class ConnectionRegistry {
  readonly #open = new Set<Connection>();
  readonly #perAddress = new Map<string, number>();
  #closing = 0;

  /** A permit for one more connection from `address`, or null when it has `max` already. */
  reserve(address: string, max: number): Admission | null {
    const count = this.#perAddress.get(address) ?? 0;
    if (count >= max) return null;
    this.#perAddress.set(address, count + 1);
    return new AddressPermit(address, this.#perAddress);
  }

  add(conn: Connection): void {
    this.#open.add(conn);
  }

  delete(conn: Connection): void {
    this.#open.delete(conn);
  }

  /** Closes the socket of a connection already removed, counting it until the peer is done. */
  closeSocket(conn: Connection, code: number, reason: string): void {
    const socket = conn.socket;
    if (!socket || socket.readyState > OPEN) return;
    this.#closing++;
    socket.addEventListener("close", () => this.#closing--, { once: true });
    try {
      socket.close(code, reason);
    } catch {
      // Already closing: nothing more to do.
    }
  }

  /** A copy of the open connections (safe to close them while iterating). */
  list(): Connection[] {
    return [...this.#open];
  }

  /** Open connections. */
  get size(): number {
    return this.#open.size;
  }

  /** Sockets closed by the hub whose peer has not finished closing yet. */
  get closing(): number {
    return this.#closing;
  }

  /** Topic subscriptions over all open connections. */
  subscriptionCount(): number {
    let subscriptions = 0;
    for (const conn of this.#open) subscriptions += conn.topics.size;
    return subscriptions;
  }
}

/**
 * Many timeouts of one length on one timer. A busy service starts thousands of prediction
 * timeouts a second, each cancelled a few milliseconds later; a timer object apiece costs more
 * than the bookkeeping here (one small entry in a queue, one armed timer for the oldest entry).
 * @module
 */

/** A pending deadline. */
export interface Deadline {
  /** Stops the deadline from firing (idempotent). */
  cancel(): void;
}

interface Entry extends Deadline {
  at: number;
  onExpire: (() => void) | undefined;
}

/**
 * Runs callbacks `ms` milliseconds after they were added, unless cancelled. Every entry has the
 * same delay, so entries expire in the order they were added and only the oldest needs a timer.
 * No timer is armed while nothing is pending (the queue keeps no process alive).
 */
export class DeadlineQueue {
  #ms: number;
  #queue: Entry[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Bound once: every entry's `cancel` calls it. */
  #drop = () => this.#dropCancelled();

  /** `ms`: the delay of every deadline, in milliseconds. */
  constructor(ms: number) {
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      throw new RangeError(`Invalid deadline "${ms}": expected a finite number of milliseconds`);
    }
    this.#ms = ms;
  }

  /** Deadlines not yet fired or cancelled (cancelled ones may linger behind an older one). */
  get size(): number {
    return this.#queue.length - this.#head;
  }

  /** Calls `onExpire` in `ms` milliseconds unless the returned deadline is cancelled first. */
  add(onExpire: () => void): Deadline {
    const drop = this.#drop;
    const entry: Entry = {
      at: performance.now() + this.#ms,
      onExpire,
      cancel() {
        if (this.onExpire === undefined) return;
        this.onExpire = undefined;
        drop();
      },
    };
    this.#queue.push(entry);
    if (this.#timer === undefined) this.#arm(entry.at);
    return entry;
  }

  /** Drops cancelled entries at the head; clears the timer when nothing is pending. */
  #dropCancelled(): void {
    const q = this.#queue;
    while (this.#head < q.length && q[this.#head].onExpire === undefined) this.#head++;
    if (this.#head === q.length) {
      q.length = 0;
      this.#head = 0;
      if (this.#timer !== undefined) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
      }
    } else if (this.#head > 1024 && this.#head * 2 > q.length) {
      q.splice(0, this.#head);
      this.#head = 0;
    }
  }

  #arm(at: number): void {
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, at - performance.now()));
  }

  #fire(): void {
    this.#timer = undefined;
    const q = this.#queue;
    const t = performance.now();
    while (this.#head < q.length) {
      const entry = q[this.#head];
      const fn = entry.onExpire;
      if (fn !== undefined && entry.at > t) break;
      this.#head++;
      entry.onExpire = undefined;
      fn?.();
    }
    this.#dropCancelled();
    if (this.#head < q.length && this.#timer === undefined) this.#arm(q[this.#head].at);
  }
}

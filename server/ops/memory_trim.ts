/**
 * Gives freed native memory back to the operating system. glibc's allocator keeps freed chunks
 * for reuse, and only pages at the top of its heap go back by themselves: after a burst (10,000
 * WebSocket handshakes, a prediction load, a model reload) the resident size stays at its peak
 * although the memory is free. `malloc_trim(0)` releases every whole free page. The trimmer calls
 * it through FFI on a timer; where it is not available (not Linux, not glibc, FFI refused) it
 * does nothing and says so in `available`.
 *
 * Each trim also drops clean file pages that start-up touched and serving does not use
 * (`cold_pages.ts`). Besides the timer, a trim follows the end of a burst: the server reports
 * each request ({@link MemoryTrimmer.noteActivity}), and the first quiet `idleMs` after a busy
 * period that grew the RSS by `burstBytes` trims, with a V8 collection first
 * ({@link lastResortGc}), so memory a load left free goes back within about a second instead of
 * up to `intervalMs` later.
 * @module
 */
import { type ColdPages, openColdPages } from "./page_warmup.ts";

/** V8's `gc` of `--expose-gc`, which takes options since V8 11. */
export type V8Gc = (
  options?: { type?: "major" | "minor"; execution?: "sync" | "async"; flavor?: string },
) => void;

/**
 * The collection V8 runs before it reports out of memory, through `gc` (undefined without
 * `--expose-gc`): full collections until nothing more is freed, then the new space shrinks and
 * pooled pages go back to the OS. A plain `gc()` keeps both: ~40 MB more RSS after a burst.
 */
export function lastResortGc(gc: V8Gc | undefined): (() => void) | undefined {
  if (typeof gc !== "function") return undefined;
  return () => gc({ type: "major", execution: "sync", flavor: "last-resort" });
}

/** Options of {@link createMemoryTrimmer}. */
export interface MemoryTrimmerOptions {
  /** Time between trims; 0 trims only when {@link MemoryTrimmer.trim} is called. @default 30000 */
  intervalMs?: number;
  /** Reads the resident memory in bytes. @default () => Deno.memoryUsage().rss */
  rss?: () => number;
  /** Called after every trim with its outcome (e.g. for metrics). */
  onTrim?: (result: TrimResult) => void;
  /** Loads `malloc_trim`; returns null when unavailable. @default glibc through `Deno.dlopen` */
  load?: () => ((pad: bigint) => number) | null;
  /**
   * Drops clean file pages with every trim; null turns that off.
   * @default openColdPages() when `load` is not given, else null
   */
  coldPages?: ColdPages | null;
  /**
   * A full garbage collection, run before the native trim on the first idle trim after a
   * burst only (so the V8 pages the burst's garbage held go back too), e.g.
   * {@link lastResortGc} of `globalThis.gc` when V8 runs with `--expose-gc`. @default none
   */
  collectGarbage?: () => void;
  /**
   * A quiet period of this length after activity ({@link MemoryTrimmer.noteActivity}) trims;
   * 0 turns idle trims off. @default 1000
   */
  idleMs?: number;
  /**
   * What makes a busy period a burst: the RSS grew by at least this many bytes since the last
   * trim. Quiet after smaller activity (a request now and then) trims nothing, so sparse
   * traffic never pays for the collection (up to ~150 ms on the event loop after a load).
   * @default 16 MiB
   */
  burstBytes?: number;
}

/** The outcome of one trim. */
export interface TrimResult {
  /** Resident bytes before minus after (negative when something else allocated meanwhile). */
  releasedBytes: number;
  /** How long the call took, in milliseconds (it walks the allocator's free lists). */
  durationMs: number;
  /** Resident bytes of clean file pages dropped (0 when that is off or unavailable). */
  filePagesBytes: number;
  /** What started the trim. */
  trigger: TrimTrigger;
}

/**
 * What starts a trim: the timer, the end of a burst (`idle`, and `idle_settled` one quiet
 * period later), start-up, or another direct call.
 */
export type TrimTrigger = "interval" | "idle" | "idle_settled" | "start" | "manual";

/** A running trimmer. */
export interface MemoryTrimmer {
  /** Whether `malloc_trim` could be loaded. */
  readonly available: boolean;
  /** Trims now; null when unavailable. */
  trim(trigger?: TrimTrigger): TrimResult | null;
  /** Reports activity (a request); the first quiet `idleMs` after it trims. Cheap: one store. */
  noteActivity(): void;
  /** Stops the timer and unloads the library. */
  close(): void;
}

/** `malloc_trim` of the process's glibc, or null (another OS or libc, or FFI not allowed). */
export function loadGlibcTrim(): { trim: (pad: bigint) => number; close(): void } | null {
  if (Deno.build.os !== "linux") return null;
  try {
    const lib = Deno.dlopen("libc.so.6", {
      malloc_trim: { parameters: ["usize"], result: "i32" },
    });
    return { trim: (pad) => lib.symbols.malloc_trim(pad), close: () => lib.close() };
  } catch {
    return null;
  }
}

/** Creates a trimmer; with an interval it trims on a timer that does not keep the process up. */
export function createMemoryTrimmer(options: MemoryTrimmerOptions = {}): MemoryTrimmer {
  const rss = options.rss ?? (() => Deno.memoryUsage().rss);
  let unload: (() => void) | undefined;
  let fn: ((pad: bigint) => number) | null;
  let cold: ColdPages | null;
  if (options.load) {
    fn = options.load();
    cold = options.coldPages ?? null;
  } else {
    const glibc = loadGlibcTrim();
    fn = glibc?.trim ?? null;
    unload = glibc?.close;
    cold = options.coldPages === undefined ? (fn ? openColdPages() : null) : options.coldPages;
  }
  const intervalMs = options.intervalMs ?? 30_000;
  const idleMs = options.idleMs ?? 1000;
  const burstBytes = options.burstBytes ?? 16 * 2 ** 20;
  /** RSS right after the last trim (or at creation): the baseline a burst is measured from. */
  let settledRss = rss();

  function trim(trigger: TrimTrigger = "manual"): TrimResult | null {
    if (!fn) return null;
    const before = rss();
    const started = performance.now();
    if (trigger === "idle") options.collectGarbage?.();
    fn(0n);
    const filePagesBytes = (cold?.release()?.releasedKb ?? 0) * 1024;
    settledRss = rss();
    const result = {
      releasedBytes: before - settledRss,
      durationMs: performance.now() - started,
      filePagesBytes,
      trigger,
    };
    options.onTrim?.(result);
    return result;
  }

  let timer: ReturnType<typeof setInterval> | undefined;
  if (fn && intervalMs > 0) {
    timer = setInterval(() => trim("interval"), intervalMs);
    Deno.unrefTimer(timer as unknown as number);
  }
  // Idle detection: `active` is set by every request; the idle timer clears it. The first tick
  // that finds it clear after a busy period that grew the RSS by `burstBytes` trims with a full
  // collection; the second trims again, for the pages V8's concurrent sweeping freed after that
  // collection. A busy period that grew the RSS less ends without a trim.
  let active = false, busy = false, quietTicks = 0;
  let idleTimer: ReturnType<typeof setInterval> | undefined;
  if (fn && idleMs > 0) {
    idleTimer = setInterval(() => {
      if (active) {
        active = false;
        busy = true;
        quietTicks = 0;
      } else if (busy) {
        quietTicks++;
        if (quietTicks === 1) {
          if (rss() - settledRss >= burstBytes) trim("idle");
          else busy = false;
        } else {
          busy = false;
          trim("idle_settled");
        }
      }
    }, idleMs);
    Deno.unrefTimer(idleTimer as unknown as number);
  }
  return {
    available: fn !== null,
    trim,
    noteActivity() {
      active = true;
    },
    close() {
      if (timer !== undefined) clearInterval(timer);
      if (idleTimer !== undefined) clearInterval(idleTimer);
      timer = idleTimer = undefined;
      fn = null;
      unload?.();
      unload = undefined;
      cold?.close();
      cold = null;
    },
  };
}

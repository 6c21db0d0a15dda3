/**
 * Gives freed native memory back to the operating system. glibc's allocator keeps freed chunks
 * for reuse, and only pages at the top of its heap go back by themselves: after a burst (10,000
 * WebSocket handshakes, a prediction load, a model reload) the resident size stays at its peak
 * although the memory is free. `malloc_trim(0)` releases every whole free page. The trimmer calls
 * it through FFI on a timer; where it is not available (not Linux, not glibc, FFI refused) it
 * does nothing and says so in `available`.
 * @module
 */

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
}

/** The outcome of one trim. */
export interface TrimResult {
  /** Resident bytes before minus after (negative when something else allocated meanwhile). */
  releasedBytes: number;
  /** How long the call took, in milliseconds (it walks the allocator's free lists). */
  durationMs: number;
}

/** A running trimmer. */
export interface MemoryTrimmer {
  /** Whether `malloc_trim` could be loaded. */
  readonly available: boolean;
  /** Trims now; null when unavailable. */
  trim(): TrimResult | null;
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
  if (options.load) fn = options.load();
  else {
    const glibc = loadGlibcTrim();
    fn = glibc?.trim ?? null;
    unload = glibc?.close;
  }
  const intervalMs = options.intervalMs ?? 30_000;

  function trim(): TrimResult | null {
    if (!fn) return null;
    const before = rss();
    const started = performance.now();
    fn(0n);
    const result = { releasedBytes: before - rss(), durationMs: performance.now() - started };
    options.onTrim?.(result);
    return result;
  }

  let timer: ReturnType<typeof setInterval> | undefined;
  if (fn && intervalMs > 0) {
    timer = setInterval(trim, intervalMs);
    Deno.unrefTimer(timer as unknown as number);
  }
  return {
    available: fn !== null,
    trim,
    close() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      fn = null;
      unload?.();
      unload = undefined;
    },
  };
}

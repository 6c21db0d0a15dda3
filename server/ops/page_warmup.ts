/**
 * Drops clean file-backed pages from the process's resident set. Loading the Deno runtime and
 * onnxruntime touches far more of their code than serving uses: onnxruntime registers every
 * kernel it has at start-up, Deno runs its start-up and module-loading code once. Those pages
 * stay counted in the resident size until the kernel needs the memory. `madvise(MADV_DONTNEED)`
 * on a read-only private file mapping unmaps its pages; the page cache keeps them, so a page
 * that is used again comes back with a minor fault (no disk read), and only the pages serving
 * actually uses return.
 *
 * Only mappings that cannot hold private changes qualify: backed by a file, not writable, and
 * with no anonymous (copied-on-write) page, so dropping them can never lose data.
 * @module
 */

/** One mapping of `/proc/self/smaps`. */
export interface Mapping {
  start: bigint;
  end: bigint;
  perms: string;
  path: string;
  rssKb: number;
  anonymousKb: number;
}

/** Parses `/proc/<pid>/smaps` text into mappings. */
export function parseSmaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  let current: Mapping | undefined;
  for (const line of text.split("\n")) {
    const head = line.match(/^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \d+\s*(.*)$/);
    if (head) {
      current = {
        start: BigInt(`0x${head[1]}`),
        end: BigInt(`0x${head[2]}`),
        perms: head[3],
        path: head[4].trim(),
        rssKb: 0,
        anonymousKb: 0,
      };
      out.push(current);
      continue;
    }
    if (!current) continue;
    const field = line.match(/^(Rss|Anonymous):\s+(\d+) kB/);
    if (field) {
      if (field[1] === "Rss") current.rssKb = Number(field[2]);
      else current.anonymousKb = Number(field[2]);
    }
  }
  return out;
}

/** Whether dropping the pages of `m` is safe: a file's clean, read-only private pages. */
export function isDroppable(m: Mapping): boolean {
  return m.path.startsWith("/") && !m.path.endsWith(" (deleted)") && !m.perms.includes("w") &&
    m.perms.endsWith("p") && m.anonymousKb === 0 && m.rssKb > 0;
}

/** The outcome of one {@link ColdPages.release}. */
export interface ReleaseResult {
  /** Resident kB of the mappings dropped (before). */
  releasedKb: number;
  /** Mappings dropped. */
  mappings: number;
}

/** Releases clean file pages of this process. */
export interface ColdPages {
  /** Whether `madvise` could be loaded (Linux with glibc and FFI allowed). */
  readonly available: boolean;
  /** Drops the resident pages of every qualifying mapping; null when unavailable. */
  release(): ReleaseResult | null;
  close(): void;
}

const MADV_DONTNEED = 4;

/** Opens the releaser: `madvise` from glibc through FFI, or an unavailable one. */
export function openColdPages(): ColdPages {
  let lib:
    | Deno.DynamicLibrary<{ madvise: { parameters: ["pointer", "usize", "i32"]; result: "i32" } }>
    | undefined;
  if (Deno.build.os === "linux") {
    try {
      lib = Deno.dlopen("libc.so.6", {
        madvise: { parameters: ["pointer", "usize", "i32"], result: "i32" },
      });
    } catch {
      lib = undefined;
    }
  }
  return {
    get available() {
      return lib !== undefined;
    },
    release(): ReleaseResult | null {
      if (!lib) return null;
      let text: string;
      try {
        text = Deno.readTextFileSync("/proc/self/smaps");
      } catch {
        return null;
      }
      let releasedKb = 0, mappings = 0;
      for (const m of parseSmaps(text)) {
        if (!isDroppable(m)) continue;
        const ok = lib.symbols.madvise(
          Deno.UnsafePointer.create(m.start),
          m.end - m.start,
          MADV_DONTNEED,
        );
        if (ok === 0) {
          releasedKb += m.rssKb;
          mappings++;
        }
      }
      return { releasedKb, mappings };
    },
    close() {
      lib?.close();
      lib = undefined;
    },
  };
}

/**
 * A one-line progress bar on stderr for long jobs (training, backtests, benchmarks). Redraws at
 * most every 100 ms; prints plain lines when stderr is not a terminal.
 * @module
 */

/** A progress reporter. */
export interface Progress {
  update(done: number, total: number, label?: string): void;
  done(message?: string): void;
}

/** Creates a progress bar titled `title`. */
export function progressBar(title: string): Progress {
  const encoder = new TextEncoder();
  const tty = Deno.stderr.isTerminal();
  const started = performance.now();
  let last = 0;
  let lastPercent = -10;
  const write = (s: string) => Deno.stderr.writeSync(encoder.encode(s));
  return {
    update(done, total, label = "") {
      const now = performance.now();
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const percent = Math.floor(frac * 100);
      if (tty) {
        if (now - last < 100 && done < total) return;
        last = now;
        const width = 30;
        const filled = Math.round(frac * width);
        const bar = "#".repeat(filled) + "-".repeat(width - filled);
        const secs = ((now - started) / 1000).toFixed(0);
        write(`\r${title} [${bar}] ${percent}% ${done}/${total} ${secs}s ${label}`.padEnd(100));
      } else if (percent >= lastPercent + 10) {
        lastPercent = percent;
        write(`${title}: ${percent}% (${done}/${total}) ${label}\n`);
      }
    },
    done(message = "") {
      const secs = ((performance.now() - started) / 1000).toFixed(1);
      write(`${tty ? "\r" : ""}${title}: done in ${secs}s ${message}`.padEnd(100) + "\n");
    },
  };
}

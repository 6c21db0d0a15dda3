/**
 * The drill's odds sources: HTML odds boards on loopback that the drill can break on purpose.
 * Each board is a demo bookmaker (the same market model and HTML the built-in one serves, so the
 * service's default HTML selectors read it) whose prices the drill moves several times a second;
 * a fault mode makes its next requests fail the way real bookmakers do: HTTP errors, requests
 * that never answer, or a page that is not an odds board at all.
 * @module
 */
import {
  type DemoBookmaker,
  mulberry32,
  startDemoBookmaker,
} from "../../server/live/demo_bookmaker.ts";

/** How a board answers. */
export type SourceMode = "healthy" | "errors" | "hang" | "garbage";

/** Options of {@link DrillSources.start}. */
export interface DrillSourcesOptions {
  /** Board name -> league keys it lists. */
  boards: Record<string, string[]>;
  /** Time between two price moves. @default 200 */
  tickMs?: number;
  /** Fixtures per league. @default 3 */
  matchesPerLeague?: number;
  /** Folder with model cards (team names). @default "models" */
  modelsDir?: string;
}

/** Requests a board answered, by what it answered with. */
export type BoardCounts = Record<SourceMode, number>;

/** A board with its price engine and fault mode. */
class Board {
  readonly name: string;
  readonly bookmaker: DemoBookmaker;
  mode: SourceMode = "healthy";
  readonly counts: BoardCounts = { healthy: 0, errors: 0, hang: 0, garbage: 0 };

  constructor(name: string, bookmaker: DemoBookmaker) {
    this.name = name;
    this.bookmaker = bookmaker;
  }
}

/** A garbage page: valid HTML that is no odds board (a bookmaker's maintenance page). */
const GARBAGE_HTML = `<!doctype html><html><body><div id="app">Down for maintenance` +
  `<table class="odds-board"><tr><td>¯\\_(ツ)_/¯</td></tr></table><script>` +
  "x".repeat(2048) + `</script></div></body></html>`;

/** The running sources. */
export class DrillSources {
  readonly #boards = new Map<string, Board>();
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #stop = new AbortController();
  /** Requests left hanging; released on close. */
  readonly #hanging = new Set<() => void>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #frozen = false;
  readonly #random = mulberry32(20261207);
  ticks = 0;

  private constructor(boards: Board[], tickMs: number) {
    for (const b of boards) this.#boards.set(b.name, b);
    this.#server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      signal: this.#stop.signal,
      onListen: () => {},
    }, (req) => this.#answer(req));
    this.#timer = setInterval(() => {
      if (this.#frozen) return;
      this.ticks++;
      for (const b of this.#boards.values()) {
        b.bookmaker.tick();
        // The demo market replays a few real moves per fixture; the drill wants prices moving
        // several times a second, so every tick also walks each fixture's 1X2 prices by up to
        // 8 %, enough that most ticks change a displayed (2-decimal) price.
        for (const f of b.bookmaker.fixtures()) {
          const factor = 1 + (this.#random() - 0.5) * 0.16;
          const price = (x: number) => Math.min(30, Math.max(1.05, Math.round(x * 100) / 100));
          b.bookmaker.setPrice(f.id, {
            x12: { home: price(f.odds.x12.home * factor), away: price(f.odds.x12.away / factor) },
          });
        }
      }
    }, tickMs);
  }

  /** Starts one board per entry of `options.boards` behind one loopback HTTP server. */
  static async start(options: DrillSourcesOptions): Promise<DrillSources> {
    const boards: Board[] = [];
    let seed = 7;
    for (const [name, leagues] of Object.entries(options.boards)) {
      const bookmaker = await startDemoBookmaker({
        leagues,
        seed: seed++,
        tickMs: 0,
        matchesPerLeague: options.matchesPerLeague ?? 3,
        modelsDir: options.modelsDir ?? "models",
      });
      boards.push(new Board(name, bookmaker));
    }
    return new DrillSources(boards, options.tickMs ?? 200);
  }

  /** The URL of a board. */
  url(name: string): string {
    return `http://127.0.0.1:${this.#server.addr.port}/board/${name}`;
  }

  /** Board names. */
  get names(): string[] {
    return [...this.#boards.keys()];
  }

  /** Sets how a board answers from now on. */
  setMode(name: string, mode: SourceMode): void {
    this.#board(name).mode = mode;
    if (mode !== "hang") this.#releaseHanging();
  }

  /** Stops or restarts the price moves (a frozen board serves the same prices every time). */
  freeze(frozen: boolean): void {
    this.#frozen = frozen;
  }

  /** Requests answered per board and mode. */
  counts(): Record<string, BoardCounts> {
    return Object.fromEntries([...this.#boards.values()].map((b) => [b.name, { ...b.counts }]));
  }

  /** The leagues, teams and kick-offs on every board. */
  fixtures(): { league: string; home_team: string; away_team: string }[] {
    return [...this.#boards.values()].flatMap((b) => b.bookmaker.fixtures());
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#releaseHanging();
    this.#stop.abort();
    await this.#server.finished;
    await Promise.all([...this.#boards.values()].map((b) => b.bookmaker.close()));
  }

  #board(name: string): Board {
    const b = this.#boards.get(name);
    if (!b) throw new Error(`Unknown drill board "${name}"`);
    return b;
  }

  #releaseHanging(): void {
    for (const release of this.#hanging) release();
    this.#hanging.clear();
  }

  async #answer(req: Request): Promise<Response> {
    const name = new URL(req.url).pathname.replace(/^\/board\//, "");
    const board = this.#boards.get(name);
    if (!board) return new Response("Not found", { status: 404 });
    board.counts[board.mode]++;
    switch (board.mode) {
      case "errors":
        return new Response("Service unavailable", { status: 503 });
      case "hang": {
        // Never answers while the mode lasts: the scraper's timeout must give up on it.
        await new Promise<void>((resolve) => this.#hanging.add(resolve));
        return new Response("Too late", { status: 504 });
      }
      case "garbage":
        return new Response(GARBAGE_HTML, { headers: { "content-type": "text/html" } });
      default:
        return new Response(board.bookmaker.html(), {
          headers: { "content-type": "text/html; charset=utf-8" },
        });
    }
  }
}

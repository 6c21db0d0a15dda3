/**
 * The floor of `deno task bench http`: a bare `Deno.serve` that sends the app's answers with no
 * application work. `GET` gets the `/health/live` answer and `POST` reads the request body, then
 * gets the cached prediction answer, each with the same header fields and body text as the real
 * server's (captured by the bench). What this server reaches on a machine is what Deno's HTTP
 * layer and the kernel allow there; the app's shares are read against it.
 *
 * Usage: `deno run --allow-net --allow-read bench/floor_server.ts <port> <answers.json>`, where
 * the file holds {@link FloorAnswers}. Prints `listening` once it accepts connections.
 * @module
 */

/** One captured answer: its header fields (without `date` and `content-length`) and body. */
export interface FloorAnswer {
  headers: [string, string][];
  body: string;
}

/** The answers the floor server sends. */
export interface FloorAnswers {
  get: FloorAnswer;
  post: FloorAnswer;
}

/** Options of {@link serveCapturedAnswers}. */
export interface ServeCapturedAnswersOptions {
  /** Loopback port; 0 takes any free one. @default 0 */
  port?: number;
  /** Called once listening. @default nothing */
  onListen?: (addr: Deno.NetAddr) => void;
}

/** Serves `answers` on loopback until shut down. */
export function serveCapturedAnswers(
  answers: FloorAnswers,
  options: ServeCapturedAnswersOptions = {},
): Deno.HttpServer<Deno.NetAddr> {
  const { get, post } = answers;
  const { port = 0, onListen = () => {} } = options;
  return Deno.serve({ port, hostname: "127.0.0.1", onListen }, async (req) => {
    if (req.method !== "POST") return new Response(get.body, { headers: get.headers });
    // Read like the app reads a prediction request, then answer the captured text.
    const body = await req.arrayBuffer();
    if (body.byteLength === 0) return new Response("empty body", { status: 400 });
    return new Response(post.body, { headers: post.headers });
  });
}

if (import.meta.main) {
  const [port, file] = Deno.args;
  if (!port || !file) throw new Error("Usage: floor_server.ts <port> <answers.json>");
  const answers = JSON.parse(await Deno.readTextFile(file)) as FloorAnswers;
  serveCapturedAnswers(answers, { port: Number(port), onListen: () => console.log("listening") });
}

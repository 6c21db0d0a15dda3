import assert from "node:assert/strict";
import { createLogger, type LogFields } from "./logger.ts";

function capture(level: "debug" | "info" | "warn" | "error" | "silent") {
  const lines: LogFields[] = [];
  const logger = createLogger({
    level,
    sink: (line) => lines.push(JSON.parse(line)),
    now: () => Date.UTC(2025, 0, 2, 3, 4, 5),
  });
  return { logger, lines };
}

Deno.test("createLogger: writes one JSON object per line with time, level, msg and fields", () => {
  const { logger, lines } = capture("info");
  logger.info("request", { request_id: "abc", status: 200 });
  assert.deepEqual(lines, [{
    time: "2025-01-02T03:04:05.000Z",
    level: "info",
    msg: "request",
    request_id: "abc",
    status: 200,
  }]);
});

Deno.test("createLogger: drops lines below the level", () => {
  const { logger, lines } = capture("warn");
  logger.debug("a");
  logger.info("b");
  logger.warn("c");
  logger.error("d");
  assert.deepEqual(lines.map((l) => l.msg), ["c", "d"]);
  assert.equal(logger.enabled("info"), false);
  assert.equal(logger.enabled("error"), true);
  const silent = capture("silent");
  silent.logger.error("x");
  assert.equal(silent.lines.length, 0);
});

Deno.test("createLogger: serialises errors with their cause, and bigints", () => {
  const { logger, lines } = capture("debug");
  logger.child({ component: "kv" }).error("failed", {
    error: new Error("outer", { cause: new TypeError("inner") }),
    n: 5n,
  });
  const [line] = lines;
  assert.equal(line.component, "kv");
  assert.equal(line.n, "5");
  const error = line.error as { message: string; stack: string; cause: { name: string } };
  assert.equal(error.message, "outer");
  assert.match(error.stack, /outer/);
  assert.equal(error.cause.name, "TypeError");
});

Deno.test("createLogger: a circular field cannot break logging", () => {
  const { logger, lines } = capture("info");
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  logger.info("odd", { loop });
  assert.equal(lines[0].msg, "odd");
});

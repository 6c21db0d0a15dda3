import assert from "node:assert/strict";
import { escapeScriptJson, parseProps, serializeProps } from "./props_codec.ts";

Deno.test("serializeProps: round-trips values JSON cannot carry", () => {
  const shared = { name: "shared" };
  const value = {
    u: undefined,
    nan: NaN,
    inf: Infinity,
    ninf: -Infinity,
    negZero: -0,
    date: new Date("2026-11-28T15:00:00Z"),
    bad: new Date(NaN),
    map: new Map<unknown, unknown>([["a", 1], [2, { b: true }]]),
    set: new Set([1, "two", null]),
    url: new URL("https://example.com/a?b=c"),
    big: 12345678901234567890n,
    list: [1, undefined, "x", null],
    a: shared,
    b: shared,
  };
  const back = parseProps(serializeProps(value)) as typeof value;
  assert.deepEqual(back, value);
  assert.ok(Object.is(back.negZero, -0));
  assert.ok(Number.isNaN(back.bad.getTime()));
  assert.equal(back.a, back.b, "shared references stay shared");
});

Deno.test("serializeProps: keeps cycles", () => {
  const node: { name: string; self?: unknown } = { name: "n" };
  node.self = node;
  const back = parseProps(serializeProps([node])) as [typeof node];
  assert.equal(back[0].self, back[0]);
});

Deno.test("serializeProps: hostile strings cannot break out of the script block", () => {
  const hostile = [
    "</script><script>alert(1)</script>",
    "<!-- x -->",
    "</SCRIPT",
    "\u2028\u2029",
    "\"'\\",
  ];
  const text = escapeScriptJson(serializeProps({ hostile, [hostile[0]]: 1 }));
  assert.ok(!/<\/script/i.test(text));
  assert.ok(!text.includes("<!--"));
  assert.ok(!text.includes("\u2028"));
  const back = parseProps(text) as { hostile: string[] };
  assert.deepEqual(back.hostile, hostile);
  assert.deepEqual(Object.keys(back), ["hostile", hostile[0]]);
});

Deno.test("serializeProps: refuses functions, symbols and class instances with their path", async (t) => {
  await t.step("function", () => {
    assert.throws(
      () => serializeProps({ matches: [{ onClick: () => {} }] }),
      {
        name: "TypeError",
        message: 'Cannot serialise island props: function at "props.matches[0].onClick"',
      },
    );
  });
  await t.step("symbol", () => {
    assert.throws(() => serializeProps({ s: Symbol("x") }), /symbol at "props.s"/);
  });
  await t.step("class instance", () => {
    class Odds {}
    assert.throws(() => serializeProps({ o: new Odds() }), /instance of "Odds" at "props.o"/);
  });
});

Deno.test("parseProps: rejects malformed input", () => {
  assert.throws(() => parseProps("{}"), /expected \[root, slots\]/);
  assert.throws(() => parseProps("[5, []]"), /out of range/);
  assert.throws(() => parseProps('[0, [["Evil", 1]]]'), /unknown tag "Evil"/);
});

Deno.test("serializeProps: equal primitives share one slot and keep their types", () => {
  const rows = Array.from({ length: 3 }, () => ({ book: "demo-soft", odds: 2.5, ok: true }));
  const value = { rows, mixed: [1, "1", true, "true", null, "null", 0, "0"] };
  const text = serializeProps(value);
  assert.equal(text.split('"demo-soft"').length - 1, 1, "the repeated string is written once");
  assert.equal(text.split("2.5").length - 1, 1, "the repeated number is written once");
  const back = parseProps(text) as typeof value;
  assert.deepEqual(back, value);
  assert.notEqual(back.rows[0], back.rows[1], "equal objects stay distinct");
});

Deno.test("serializeProps: objects with the same keys write their keys once", () => {
  const rows = Array.from({ length: 5 }, (_, i) => ({ home_team: `h${i}`, away_team: `a${i}` }));
  const value = { rows, other: { away_team: "x", home_team: "y" }, empty: {} };
  const text = serializeProps(value);
  assert.equal(text.split('"home_team"').length - 1, 2, "one shape per key order");
  const back = parseProps(text) as typeof value;
  assert.deepEqual(back, value);
  assert.deepEqual(Object.keys(back.other), ["away_team", "home_team"], "key order kept");
});

Deno.test("parseProps: refuses an object whose shape is missing or does not fit", () => {
  for (const bad of [[0, [["O", 1, 2], "x", 3]], [0, [["O", 1, 2], ["K", "a", "b"], 3]]]) {
    assert.throws(() => parseProps(JSON.stringify(bad)), {
      name: "TypeError",
      message: /bad object shape/,
    });
  }
  assert.throws(() => parseProps(JSON.stringify([0, [["K", "a"]]])), /unknown tag "K"/);
});

import assert from "node:assert/strict";
import { calibrationBins } from "./metrics.ts";
import { reliabilitySvg } from "./reliability_svg.ts";

/** Checks that every tag is closed in order and attribute quotes balance: XML well-formedness. */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(svg); m; m = tag.exec(svg)) {
    assert.ok(
      !svg.slice(last, m.index).includes("<"),
      `stray "<" near ${svg.slice(last, m.index)}`,
    );
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = m;
    if (closing) assert.equal(stack.pop(), name, `closing </${name}>`);
    else if (!selfClosing) stack.push(name);
  }
  assert.ok(!svg.slice(last).includes("<"));
  assert.ok(!/&(?!(amp|lt|gt|quot|apos);)/.test(svg), "unescaped &");
  assert.deepEqual(stack, []);
  assert.ok(svg.startsWith("<svg "));
}

Deno.test("reliabilitySvg: draws one circle per bin, a diagonal and axis labels", () => {
  const home = calibrationBins([
    { p: 0.15, hit: false },
    { p: 0.45, hit: true },
    { p: 0.42, hit: false },
    { p: 0.81, hit: true },
  ]);
  const away = calibrationBins([{ p: 0.3, hit: true }, { p: 0.6, hit: false }]);
  const svg = reliabilitySvg(
    [{ label: "home", bins: home }, { label: "away & <co>", bins: away }],
    {
      title: "EPL <2023>",
    },
  );
  assertWellFormed(svg);
  assert.equal(svg.match(/<circle /g)?.length, home.length + away.length);
  assert.ok(svg.includes('class="diagonal"'));
  assert.ok(svg.includes("Forecast probability"));
  assert.ok(svg.includes("Observed frequency"));
  assert.ok(svg.includes("EPL &lt;2023&gt;"));
  assert.ok(svg.includes("away &amp; &lt;co&gt;"));
  // The 0.4-0.5 home bin (two forecasts, mean 0.435, observed 0.5) sits at
  // x = 56 + 0.435 * 408 = 233.48, y = 40 + 0.5 * 408 = 244, and is the largest point.
  assert.ok(svg.includes('cx="233.48" cy="244" r="10"'), svg);
  assert.ok(svg.includes("n=2"));
});

Deno.test("reliabilitySvg: accepts a plain bin list and empty input", () => {
  const svg = reliabilitySvg(calibrationBins([{ p: 0.5, hit: true }]));
  assertWellFormed(svg);
  assert.ok(svg.includes('data-label="all"'));
  assert.equal(svg.match(/<circle /g)?.length, 1);
  const empty = reliabilitySvg([]);
  assertWellFormed(empty);
  assert.equal(empty.match(/<circle /g), null);
});

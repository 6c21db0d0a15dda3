import assert from "node:assert/strict";
import { clvBucketsSvg } from "./clv_svg.ts";

Deno.test("clvBucketsSvg: one point and interval per bucket, labelled with its picks", () => {
  const svg = clvBucketsSvg([
    { edge_from: 0, edge_to: 0.02, picks: 120, mean_clv: -0.004, mean_clv_ci95: [-0.01, 0.002] },
    { edge_from: 0.02, edge_to: null, picks: 40, mean_clv: 0.03, mean_clv_ci95: [0.01, 0.05] },
  ], { title: "CLV <test>" });
  assert.match(svg, /^<svg /);
  assert.equal(svg.match(/<g class="bucket"/g)?.length, 2);
  assert.match(svg, /n=120/);
  assert.match(svg, /&gt;= 2.0%/);
  assert.match(svg, /CLV &lt;test&gt;/);
  assert.match(svg, /class="zero"/);
});

import assert from "node:assert/strict";
import { h } from "preact";
import { decodeProps } from "../../islands/_client/props_codec.ts";
import { registerIsland } from "./island_registry.ts";
import {
  type ClientAssets,
  renderDocument,
  renderWithIslands,
  STATE_ELEMENT_ID,
} from "./render.ts";

function Counter(props: { start: number; label: string; when?: Date }) {
  return h("button", { type: "button" }, `${props.label} ${props.start}`);
}
function Outer(props: { n: number }) {
  return h("div", { class: "outer" }, h(Counter, { start: props.n, label: "inner" }));
}
function Slotted(props: { children?: unknown }) {
  return h("div", null, props.children as string);
}
registerIsland(Counter, { name: "Counter", file: "islands/Counter.tsx", exportName: "default" });
registerIsland(Outer, { name: "Outer", file: "islands/Outer.tsx", exportName: "default" });
registerIsland(Slotted, { name: "Slotted", file: "islands/Slotted.tsx", exportName: "default" });

const assets: ClientAssets = {
  runtimeUrl: "/_fresh/b1/boot-X.js",
  islandUrl: (file) => `/_fresh/b1/${file.replace(/^islands\//, "").replace(/\.tsx$/, "")}-H.js`,
  preloads: (urls) => [...urls, "/_fresh/b1/chunk-P.js"],
};

function page(body: unknown) {
  return h("html", null, h("head", null, h("title", null, "t")), h("body", null, body as string));
}

function stateOf(html: string): { islands: [string, string, string][]; props: unknown } {
  const m = html.match(
    new RegExp(`<script type="application/json" id="${STATE_ELEMENT_ID}">(.*?)</script>`),
  );
  assert.ok(m, "state block present");
  return JSON.parse(m[1]);
}

Deno.test("renderWithIslands: marks islands and collects their props", () => {
  const when = new Date("2026-11-28T15:00:00Z");
  const result = renderWithIslands(
    h(
      "main",
      null,
      h("p", null, "server only"),
      h(Counter, { start: 3, label: "go", when, key: "k1" }),
    ),
  );
  assert.equal(
    result.html,
    '<main><p>server only</p><!--frsh:island:Counter:0:k1--><button type="button">go 3</button><!--/frsh:island--></main>',
  );
  assert.equal(result.islands.length, 1);
  assert.deepEqual(result.islands[0].props, { start: 3, label: "go", when });
});

Deno.test("renderWithIslands: islands nested in islands are not marked again", () => {
  const result = renderWithIslands(
    h("main", null, h(Outer, { n: 1 }), h(Counter, { start: 2, label: "b" })),
  );
  assert.equal((result.html.match(/<!--frsh:island:/g) ?? []).length, 2);
  assert.match(
    result.html,
    /<!--frsh:island:Outer:0:--><div class="outer"><button type="button">inner 1<\/button><\/div><!--\/frsh:island-->/,
  );
  assert.match(result.html, /<!--frsh:island:Counter:1:-->/);
  assert.deepEqual(result.islands.map((i) => i.island.name), ["Outer", "Counter"]);
});

Deno.test("renderWithIslands: refuses JSX props with a clear error", () => {
  assert.throws(
    () => renderWithIslands(h(Slotted, null, h("b", null, "x"))),
    {
      name: "TypeError",
      message: 'Island "Slotted" received JSX in prop "children": islands take data props only',
    },
  );
});

Deno.test("renderDocument: a page with islands gets one module script, preloads and safe props", () => {
  const hostile = "</script><script>alert(1)</script><!--";
  const html = renderDocument(page(h(Counter, { start: 1, label: hostile })), assets);
  assert.equal((html.match(/<script/g) ?? []).length, 2, "the JSON block and the module script");
  assert.match(html, /<script type="module" src="\/_fresh\/b1\/boot-X.js"><\/script><\/body>/);
  assert.match(html, /<link rel="modulepreload" href="\/_fresh\/b1\/Counter-H.js">/);
  assert.match(html, /<link rel="modulepreload" href="\/_fresh\/b1\/chunk-P.js"><\/head>/);
  assert.ok(!/<script>alert/.test(html), "no injected script");
  assert.ok(
    !/<script(?![^>]*(type="application\/json"|type="module" src=))/.test(html),
    "no inline script",
  );
  const state = stateOf(html);
  assert.deepEqual(state.islands, [["Counter", "/_fresh/b1/Counter-H.js", "default"]]);
  assert.deepEqual(decodeProps(state.props), [{ start: 1, label: hostile }]);
});

Deno.test("renderDocument: a page without islands ships no script", () => {
  const html = renderDocument(page(h("main", null, h("h1", null, "Model"))), assets);
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.ok(!html.includes("<script"));
  assert.ok(!html.includes("modulepreload"));
});

Deno.test("renderDocument: props that cannot be serialised fail the render", () => {
  assert.throws(
    () =>
      renderDocument(
        page(h(Counter, { start: 1, label: "x", when: (() => {}) as unknown as Date })),
        assets,
      ),
    /function at "props\[0\]\.when"/,
  );
});

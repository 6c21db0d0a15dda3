import assert from "node:assert/strict";
import { inlineStylesheets, readInlineStyles } from "./inline_styles.ts";

Deno.test("inlineStylesheets: known stylesheets of the head become <style>, others stay linked", () => {
  const styles = new Map([["/site.css", ".a > .b { color: red }"]]);
  const html = `<html><head><link rel="stylesheet" href="/site.css"/>` +
    `<link rel="stylesheet" href="/other.css"/></head>` +
    `<body><link rel="stylesheet" href="/site.css"/></body></html>`;
  assert.equal(
    inlineStylesheets(html, styles),
    `<html><head><style>.a > .b { color: red }</style>` +
      `<link rel="stylesheet" href="/other.css"/></head>` +
      `<body><link rel="stylesheet" href="/site.css"/></body></html>`,
  );
  assert.equal(inlineStylesheets(html, new Map()), html);
});

Deno.test("readInlineStyles: the static folder's CSS files, except one that could end <style>", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/site.css`, "/* the page */\nbody {\n  margin: 0;\n}\n");
    await Deno.writeTextFile(`${dir}/bad.css`, "a::after { content: '</style><script>' }");
    await Deno.writeTextFile(`${dir}/app.js`, "console.log(1)");
    const styles = await readInlineStyles(dir);
    assert.deepEqual([...styles], [["/site.css", "body{margin:0}"]], "minified, comment dropped");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

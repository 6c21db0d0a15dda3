import assert from "node:assert/strict";
import { inlineMarkdown, renderDocsPage } from "./docs_page.ts";
import { openApiDocument } from "./openapi.ts";

Deno.test("inlineMarkdown: code spans become <code>, everything else stays escaped text", async (t) => {
  await t.step("single and double backtick spans", () => {
    assert.equal(
      inlineMarkdown("send `subscribe` or `ping`"),
      "send <code>subscribe</code> or <code>ping</code>",
    );
    assert.equal(inlineMarkdown("a ``x`y`` b"), "a <code>x`y</code> b");
    assert.equal(inlineMarkdown("`` `tick` ``"), "<code>`tick`</code>");
  });
  await t.step("markup is escaped inside and outside spans", () => {
    assert.equal(
      inlineMarkdown("<b> `<img src=x onerror=alert(1)>` &"),
      "&lt;b&gt; <code>&lt;img src=x onerror=alert(1)&gt;</code> &amp;",
    );
  });
  await t.step("an unmatched backtick is literal", () => {
    assert.equal(inlineMarkdown("it`s open"), "it`s open");
    assert.equal(inlineMarkdown("``not closed`"), "``not closed`");
  });
});

Deno.test("docs page: no description or summary shows a Markdown backtick", () => {
  const html = renderDocsPage(openApiDocument());
  // Schemas are shown as JSON in <pre>: their text is data, not rendered Markdown.
  const prose = html.replace(/<pre[^>]*>[\s\S]*?<\/pre>/g, "").replace(/<code>[^<]*<\/code>/g, "");
  assert.doesNotMatch(prose, /`/);
  assert.match(html, /<code>\?include=score_matrix<\/code>/);
  const description = html.match(/<meta name="description" content="([^"]*)">/)?.[1] ?? "";
  assert.match(description, /^Football match predictions/, "a meta description for search");
  assert.match(description, /\/api\/\* is rate limited/, "as text, without backticks");
});

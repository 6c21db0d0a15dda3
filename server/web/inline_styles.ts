/**
 * The site's stylesheets written into each document's head instead of linked. A linked
 * stylesheet holds the first paint back by a whole request (on a phone network, a round trip
 * or more, plus the server's time to answer); the site's stylesheets are ~3 KB compressed, less
 * than that request costs. `/styles.css` is still served for anything that links it.
 * What is inlined is minified (esbuild, once at start-up): every page carries it raw, and its
 * comments and indentation are a fifth of it.
 * @module
 */
import * as esbuild from "esbuild";

/**
 * Reads the `.css` files at the top of `dir` (the static folder) as site paths (`/styles.css`)
 * -> minified CSS. A file whose text could end the `<style>` element early is left out (stays
 * linked); one esbuild cannot parse is inlined as written.
 */
export async function readInlineStyles(dir: string): Promise<Map<string, string>> {
  const styles = new Map<string, string>();
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".css")) files.push(entry.name);
  }
  if (files.length === 0) return styles;
  try {
    for (const name of files.sort()) {
      const css = await Deno.readTextFile(`${dir}/${name}`);
      if (/<\/style/i.test(css)) continue;
      const min = await minify(css);
      styles.set(`/${name}`, /<\/style/i.test(min) ? css : min);
    }
  } finally {
    // The service is a child process: left running, it would keep the process (and a test) open.
    await esbuild.stop();
  }
  return styles;
}

async function minify(css: string): Promise<string> {
  try {
    return (await esbuild.transform(css, { loader: "css", minify: true, logLevel: "silent" }))
      .code.trim();
  } catch {
    return css;
  }
}

const STYLESHEET_LINK = /<link rel="stylesheet" href="([^"]+)"\/?>/g;

/** Replaces the head's `<link rel="stylesheet">` tags of known stylesheets by their CSS. */
export function inlineStylesheets(html: string, styles: ReadonlyMap<string, string>): string {
  if (styles.size === 0) return html;
  const end = html.indexOf("</head>");
  if (end === -1) return html;
  const head = html.slice(0, end).replace(STYLESHEET_LINK, (link, href: string) => {
    const css = styles.get(href);
    return css === undefined ? link : `<style>${css}</style>`;
  });
  return head + html.slice(end);
}

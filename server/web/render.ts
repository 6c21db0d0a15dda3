/**
 * The islands renderer: renders a Preact tree to HTML on the server, wraps every outermost island
 * in `<!--frsh:island:NAME:PROPS_INDEX:KEY-->` ... `<!--/frsh:island-->` markers, collects the
 * islands' props, and assembles the document: a `<script type="application/json">` state block,
 * `modulepreload` links and one external module script. A page that rendered no island gets no
 * script at all. No inline script is ever written (the CSP is `script-src 'self'`).
 * @module
 */
import {
  type ComponentChildren,
  type ComponentType,
  createContext,
  Fragment,
  h,
  isValidElement,
  options,
  type VNode,
} from "preact";
import { useContext } from "preact/hooks";
import { renderToString } from "preact-render-to-string";
import { escapeScriptJson, serializeProps } from "../../islands/_client/props_codec.ts";
import { type IslandInfo, islandOf } from "./island_registry.ts";

/** Id of the JSON block the client runtime reads. */
export const STATE_ELEMENT_ID = "__frsh_state";

/** Where the browser loads the client runtime and islands from. */
export interface ClientAssets {
  /** URL of the client runtime module (boot). */
  runtimeUrl: string;
  /** URL of an island's module, by island source file (`islands/LiveBoard.tsx`). */
  islandUrl(file: string): string;
  /** URLs to announce with `modulepreload` for these module URLs (themselves and their chunks). */
  preloads(urls: string[]): string[];
}

/** Result of rendering a tree: the HTML and the islands it used, in props order. */
export interface RenderResult {
  html: string;
  islands: { island: IslandInfo; props: Record<string, unknown> }[];
}

interface RenderState {
  islands: RenderResult["islands"];
}

let current: RenderState | null = null;
let bypass = false;
const InsideIsland = createContext(false);

interface MarkerProps {
  island: IslandInfo;
  component: ComponentType<Record<string, unknown>>;
  props: Record<string, unknown>;
  islandKey: unknown;
}

function assertNoJsx(island: IslandInfo, props: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(props)) {
    const values = Array.isArray(value) ? value.flat(Infinity) : [value];
    if (values.some((v) => isValidElement(v))) {
      throw new TypeError(
        `Island "${island.name}" received JSX in prop "${key}": islands take data props only`,
      );
    }
  }
}

function createOriginal(p: MarkerProps): VNode {
  bypass = true;
  try {
    const key = p.islandKey;
    return h(p.component, key == null ? p.props : { ...p.props, key: key as string });
  } finally {
    bypass = false;
  }
}

// Fragment with `UNSTABLE_comment` renders as an HTML comment in preact-render-to-string.
function comment(text: string): VNode {
  return h(Fragment as ComponentType<{ UNSTABLE_comment: string }>, {
    UNSTABLE_comment: text,
  }) as VNode;
}

function IslandMarker(p: MarkerProps): ComponentChildren {
  const inside = useContext(InsideIsland);
  const original = createOriginal(p);
  if (inside || current === null) return original;
  assertNoJsx(p.island, p.props);
  const index = current.islands.length;
  current.islands.push({ island: p.island, props: p.props });
  const key = p.islandKey == null ? "" : String(p.islandKey);
  return h(Fragment, null, [
    comment(`frsh:island:${p.island.name}:${index}:${key}`),
    h(InsideIsland.Provider, { value: true }, original),
    comment("/frsh:island"),
  ]);
}

// Wrap registered islands as their vnodes are created. Only server code imports this module,
// so the hook never runs in the browser.
const previousVnodeHook = options.vnode;
options.vnode = (vnode: VNode) => {
  if (!bypass && typeof vnode.type === "function") {
    const island = islandOf(vnode.type);
    if (island) {
      const props = vnode.props as Record<string, unknown>;
      (vnode as unknown as { props: MarkerProps }).props = {
        island,
        component: vnode.type as ComponentType<Record<string, unknown>>,
        props,
        islandKey: vnode.key,
      };
      (vnode as { type: unknown }).type = IslandMarker;
    }
  }
  previousVnodeHook?.(vnode);
};

/** Renders a tree to HTML, marking islands and collecting their props. Synchronous. */
// deno-lint-ignore no-explicit-any
export function renderWithIslands(vnode: VNode<any>): RenderResult {
  if (current !== null) throw new Error("Cannot render a page while another render is running");
  const state: RenderState = { islands: [] };
  current = state;
  try {
    return { html: renderToString(vnode), islands: state.islands };
  } finally {
    current = null;
  }
}

/**
 * Builds the tags a page with islands needs: `{ head, body }` where `head` holds the
 * `modulepreload` links and `body` the JSON state block and the module script. Both are empty
 * when the page used no island.
 */
export function islandTags(
  result: RenderResult,
  assets: ClientAssets,
): { head: string; body: string } {
  if (result.islands.length === 0) return { head: "", body: "" };
  const files = [...new Set(result.islands.map((i) => i.island.file))];
  const islandDefs = [...new Set(result.islands.map((i) => i.island))].map((island) => [
    island.name,
    assets.islandUrl(island.file),
    island.exportName,
  ]);
  const props = serializeProps(result.islands.map((i) => i.props));
  const state = escapeScriptJson(`{"islands":${JSON.stringify(islandDefs)},"props":${props}}`);
  const moduleUrls = [assets.runtimeUrl, ...files.map((f) => assets.islandUrl(f))];
  const head = assets.preloads(moduleUrls)
    .map((url) => `<link rel="modulepreload" href="${escapeAttribute(url)}">`).join("");
  const body = `<script type="application/json" id="${STATE_ELEMENT_ID}">${state}</script>` +
    `<script type="module" src="${escapeAttribute(assets.runtimeUrl)}"></script>`;
  return { head, body };
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/**
 * Renders a full HTML document from a root vnode (normally `_app` wrapping a page): the
 * doctype, the rendered HTML, and the island tags inserted before `</head>` and `</body>`.
 */
// deno-lint-ignore no-explicit-any
export function renderDocument(vnode: VNode<any>, assets: ClientAssets): string {
  const result = renderWithIslands(vnode);
  const tags = islandTags(result, assets);
  let html = result.html;
  if (tags.head) html = insertBefore(html, "</head>", tags.head);
  if (tags.body) html = insertBefore(html, "</body>", tags.body);
  return `<!DOCTYPE html>${html}`;
}

function insertBefore(html: string, tag: string, text: string): string {
  const at = html.lastIndexOf(tag);
  return at === -1 ? html + text : html.slice(0, at) + text + html.slice(at);
}

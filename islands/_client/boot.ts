/**
 * The client runtime: reads the page's island state block, imports the islands the page used,
 * finds the `frsh:island` marker comments and hydrates each outermost island into the nodes
 * between its markers. Loaded as the page's only script (`<script type="module" src=...>`).
 * @module
 */
import { type ComponentType, h, hydrate } from "preact";
import { decodeProps } from "./props_codec.ts";
import { installErrorReporting } from "./report_error.ts";

/** Id of the JSON block written by the server renderer. */
export const STATE_ELEMENT_ID = "__frsh_state";

/** An island marker pair found in the DOM. */
export interface IslandMarkers {
  name: string;
  propsIndex: number;
  start: Comment;
  end: Comment;
}

/** Finds the outermost island marker pairs under `root`, in document order. */
export function findIslands(root: Node): IslandMarkers[] {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_COMMENT);
  const found: IslandMarkers[] = [];
  const stack: { name: string; propsIndex: number; start: Comment }[] = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = (node as Comment).data;
    if (text.startsWith("frsh:island:")) {
      const [, , name, index] = text.split(":");
      stack.push({ name, propsIndex: Number(index), start: node as Comment });
    } else if (text === "/frsh:island") {
      const open = stack.pop();
      if (open && stack.length === 0) found.push({ ...open, end: node as Comment });
    }
  }
  return found;
}

/** A stand-in parent limited to the nodes between two markers, so islands can share a parent. */
function rootFragment(start: Comment, end: Comment): Element {
  const parent = start.parentNode as Element;
  const fragment = {
    nodeType: 1,
    parentNode: parent,
    namespaceURI: parent.namespaceURI,
    nextSibling: null,
    get firstChild() {
      const child = start.nextSibling;
      return child === end ? null : child;
    },
    get childNodes() {
      const children: ChildNode[] = [];
      for (let c = start.nextSibling; c && c !== end; c = c.nextSibling) children.push(c);
      return children;
    },
    insertBefore(node: Node, child: Node | null) {
      parent.insertBefore(node, child ?? end);
    },
    appendChild(node: Node) {
      parent.insertBefore(node, end);
    },
    removeChild(node: Node) {
      parent.removeChild(node);
    },
  };
  return fragment as unknown as Element;
}

function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Resolves once the page has painted: a module script can run before the first frame, and
 * hydrating then would hold the first paint back by the whole hydration. The server's HTML is
 * already the right picture, so it is shown first and made interactive next.
 */
function afterFirstPaint(): Promise<void> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve, 0));
    // A page opened in a background tab gets no frames; it is still hydrated.
    setTimeout(resolve, 500);
  });
}

/**
 * Hydrates every outermost island found in the document, one per task so the page stays
 * responsive. Islands whose markers the browser moved apart are skipped with a console error.
 */
export async function boot(
  islands: Record<string, ComponentType<Record<string, unknown>>>,
  props: Record<string, unknown>[],
): Promise<void> {
  for (const marker of findIslands(document.body)) {
    const component = islands[marker.name];
    if (!component) {
      console.error(`Island "${marker.name}" was rendered but its module was not loaded`);
      continue;
    }
    if (marker.start.parentNode !== marker.end.parentNode) {
      console.error(`Island "${marker.name}" skipped: its markers are not siblings (invalid HTML)`);
      continue;
    }
    hydrate(h(component, props[marker.propsIndex] ?? {}), rootFragment(marker.start, marker.end));
    await nextTask();
  }
}

/** Reads the state block, imports the islands and boots them. */
export async function start(): Promise<void> {
  installErrorReporting();
  const el = document.getElementById(STATE_ELEMENT_ID);
  if (!el) return;
  const state = JSON.parse(el.textContent ?? "{}") as {
    islands: [name: string, url: string, exportName: string][];
    props: unknown;
  };
  const [modules] = await Promise.all([
    Promise.all(state.islands.map(([, url]) => import(url))),
    afterFirstPaint(),
  ]);
  const components: Record<string, ComponentType<Record<string, unknown>>> = {};
  state.islands.forEach(([name, , exportName], i) => {
    components[name] = modules[i][exportName];
  });
  await boot(components, decodeProps(state.props) as Record<string, unknown>[]);
}

if (typeof document !== "undefined") {
  start().catch((error) => console.error("Cannot start islands:", error));
}

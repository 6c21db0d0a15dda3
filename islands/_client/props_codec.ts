/**
 * Serialises island props into JSON that survives shared references, cycles and values JSON
 * cannot carry (undefined, NaN, +-Infinity, -0, Date, Map, Set, URL, BigInt), and parses it
 * back in the browser. Functions, symbols and class instances are refused.
 *
 * Format: `[rootRef, slots]`. A ref is an index into `slots` or a negative constant. A slot is a
 * primitive (string, finite number, boolean, null), a plain array of refs, an empty object, or a
 * tagged array whose first element is a string: `["Date", ms]`, `["Map", k, v, ...]`,
 * `["Set", v, ...]`, `["URL", href]`, `["BigInt", digits]`, or an object as
 * `["O", shape, v1, v2, ...]` whose shape slot `["K", key1, key2, ...]` lists its keys once for
 * every object with the same keys in the same order (a board's rows are a few shapes repeated,
 * and their keys were most of its props). Equal primitives share one slot (a board repeats its
 * league keys, book names and prices on every row), which the parser needs no help with: a
 * primitive slot decodes to the same value however many refs point at it.
 *
 * Shared by the server renderer and the client runtime: imports nothing.
 * @module
 */

const UNDEFINED = -1;
const NAN = -2;
const POS_INF = -3;
const NEG_INF = -4;
const NEG_ZERO = -5;

type Slot = string | number | boolean | null | unknown[] | Record<string, number>;

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Serialises a value to a JSON string (see the module docs for the format). Throws a
 * `TypeError` naming the path of the first value it cannot carry (functions, symbols, class
 * instances).
 */
export function serializeProps(value: unknown): string {
  const slots: Slot[] = [];
  const seen = new Map<unknown, number>();
  // Map keys tell 1 from "1" and true from "true", so one map serves every primitive type.
  const primitives = new Map<string | number | boolean | null, number>();
  const shapes = new Map<string, number>();

  function ref(v: unknown, path: string): number {
    switch (typeof v) {
      case "undefined":
        return UNDEFINED;
      case "number":
        if (Number.isNaN(v)) return NAN;
        if (v === Infinity) return POS_INF;
        if (v === -Infinity) return NEG_INF;
        if (Object.is(v, -0)) return NEG_ZERO;
        return primitive(v);
      case "string":
      case "boolean":
        return primitive(v);
      case "bigint":
        return push(["BigInt", v.toString()]);
      case "function":
        throw new TypeError(`Cannot serialise island props: function at "${path}"`);
      case "symbol":
        throw new TypeError(`Cannot serialise island props: symbol at "${path}"`);
    }
    if (v === null) return primitive(null);
    const obj = v as object;
    const known = seen.get(obj);
    if (known !== undefined) return known;
    // Reserve the slot before descending so cycles resolve to it.
    const index = slots.length;
    slots.push(null);
    seen.set(obj, index);
    slots[index] = encodeObject(obj, path);
    return index;
  }

  function primitive(v: string | number | boolean | null): number {
    const known = primitives.get(v);
    if (known !== undefined) return known;
    const index = push(v);
    primitives.set(v, index);
    return index;
  }

  function push(slot: Slot): number {
    slots.push(slot);
    return slots.length - 1;
  }

  function encodeObject(obj: object, path: string): Slot {
    if (Array.isArray(obj)) {
      const out: number[] = [];
      for (let i = 0; i < obj.length; i++) out.push(ref(obj[i], `${path}[${i}]`));
      return out;
    }
    if (obj instanceof Date) {
      const t = obj.getTime();
      return ["Date", Number.isNaN(t) ? null : t];
    }
    if (obj instanceof URL) return ["URL", obj.href];
    if (obj instanceof Map) {
      const out: unknown[] = ["Map"];
      let i = 0;
      for (const [k, val] of obj) {
        out.push(ref(k, `${path}.<key ${i}>`), ref(val, `${path}.<value ${i}>`));
        i++;
      }
      return out;
    }
    if (obj instanceof Set) {
      const out: unknown[] = ["Set"];
      let i = 0;
      for (const val of obj) out.push(ref(val, `${path}.<item ${i++}>`));
      return out;
    }
    if (!isPlainObject(obj)) {
      const name = (obj as { constructor?: { name?: string } }).constructor?.name ?? "unknown";
      throw new TypeError(`Cannot serialise island props: instance of "${name}" at "${path}"`);
    }
    const keys = Object.keys(obj);
    if (keys.length === 0) return {};
    const signature = JSON.stringify(keys);
    let shape = shapes.get(signature);
    if (shape === undefined) {
      shape = push(["K", ...keys]);
      shapes.set(signature, shape);
    }
    const out: unknown[] = ["O", shape];
    for (const key of keys) out.push(ref((obj as Record<string, unknown>)[key], `${path}.${key}`));
    return out;
  }

  const root = ref(value, "props");
  return JSON.stringify([root, slots]);
}

/**
 * Escapes serialised JSON for a `<script type="application/json">` block: `<` becomes `\u003c`
 * (so neither `</script` nor `<!--` can appear) and the JS line separators are escaped too.
 */
export function escapeScriptJson(json: string): string {
  return json.replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** Parses the output of {@link serializeProps}. Throws on malformed input. */
export function parseProps(text: string): unknown {
  return decodeProps(JSON.parse(text));
}

/** Decodes an already JSON-parsed `[root, slots]` structure (see {@link parseProps}). */
export function decodeProps(parsed: unknown): unknown {
  if (!Array.isArray(parsed) || parsed.length !== 2 || !Array.isArray(parsed[1])) {
    throw new TypeError("Cannot parse island props: expected [root, slots]");
  }
  const slots = parsed[1] as Slot[];
  const decoded = new Map<number, unknown>();

  function deref(r: unknown): unknown {
    if (typeof r !== "number" || !Number.isInteger(r)) {
      throw new TypeError(`Cannot parse island props: bad reference "${String(r)}"`);
    }
    switch (r) {
      case UNDEFINED:
        return undefined;
      case NAN:
        return NaN;
      case POS_INF:
        return Infinity;
      case NEG_INF:
        return -Infinity;
      case NEG_ZERO:
        return -0;
    }
    if (r < 0 || r >= slots.length) {
      throw new TypeError(`Cannot parse island props: reference ${r} out of range`);
    }
    if (decoded.has(r)) return decoded.get(r);
    const slot = slots[r];
    if (slot === null || typeof slot !== "object") {
      decoded.set(r, slot);
      return slot;
    }
    if (Array.isArray(slot)) {
      if (typeof slot[0] === "string") return decodeTagged(r, slot);
      const out: unknown[] = [];
      decoded.set(r, out);
      for (const item of slot) out.push(deref(item));
      return out;
    }
    const out: Record<string, unknown> = {};
    decoded.set(r, out);
    for (const key of Object.keys(slot)) out[key] = deref(slot[key]);
    return out;
  }

  function decodeTagged(r: number, slot: unknown[]): unknown {
    const tag = slot[0];
    switch (tag) {
      case "Date": {
        const d = new Date(typeof slot[1] === "number" ? slot[1] : NaN);
        decoded.set(r, d);
        return d;
      }
      case "URL": {
        const u = new URL(String(slot[1]));
        decoded.set(r, u);
        return u;
      }
      case "BigInt": {
        const b = BigInt(String(slot[1]));
        decoded.set(r, b);
        return b;
      }
      case "Map": {
        const m = new Map<unknown, unknown>();
        decoded.set(r, m);
        for (let i = 1; i + 1 < slot.length; i += 2) m.set(deref(slot[i]), deref(slot[i + 1]));
        return m;
      }
      case "Set": {
        const s = new Set<unknown>();
        decoded.set(r, s);
        for (let i = 1; i < slot.length; i++) s.add(deref(slot[i]));
        return s;
      }
      case "O": {
        const shape = slots[slot[1] as number];
        if (
          !Array.isArray(shape) || shape[0] !== "K" || shape.length + 1 !== slot.length ||
          !shape.every((k) => typeof k === "string")
        ) {
          throw new TypeError(`Cannot parse island props: bad object shape at ${r}`);
        }
        const out: Record<string, unknown> = {};
        decoded.set(r, out);
        for (let i = 2; i < slot.length; i++) out[shape[i - 1] as string] = deref(slot[i]);
        return out;
      }
    }
    throw new TypeError(`Cannot parse island props: unknown tag "${String(tag)}"`);
  }

  return deref(parsed[0]);
}

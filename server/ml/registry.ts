/**
 * The model registry: finds the league models under `models/`, verifies (and if needed fetches)
 * their ONNX artefacts by sha256, and keeps the ONNX sessions of recently used leagues in a
 * small LRU cache with single-flight loading.
 * @module
 */
import * as ort from "onnxruntime-node";
import { HttpError } from "../http/errors.ts";
import { findLeague } from "../domain/leagues.ts";
import {
  type ArtefactDigest,
  downloadArtefact,
  matchesDigest,
  readOptional,
  writeAtomically,
} from "./artefacts.ts";
import { type ModelCard, parseModelCard } from "./model_card.ts";

/** The ONNX sessions and card of one league, ready to run. */
export interface LoadedModel {
  card: ModelCard;
  scoreMatrix: ort.InferenceSession;
  classifiers: { fundamental: ort.InferenceSession; blend?: ort.InferenceSession };
}

/** A league whose model cannot be served, and why. */
export interface RefusedModel {
  league: string;
  reason: string;
}

/** What {@link ModelRegistry.init} found. */
export interface RegistryReport {
  /** Leagues whose artefacts all verified. */
  available: string[];
  refused: RefusedModel[];
  /** `league/file` of artefacts fetched from the model store and verified. */
  fetched: string[];
}

/** Snapshot of the registry for health checks. */
export interface RegistryStatus {
  /** True once `init` ran and at least one model is available. */
  ready: boolean;
  available: string[];
  /** Leagues whose sessions are in the cache, least recently used first. */
  loaded: string[];
  refused: RefusedModel[];
}

/** Log sink: level, message, structured fields. */
export type RegistryLogger = (
  level: "debug" | "info" | "warn" | "error",
  msg: string,
  fields?: Record<string, unknown>,
) => void;

/** Options of {@link createModelRegistry}. */
export interface ModelRegistryOptions {
  /** Folder holding `<league>/model.json` and the ONNX files. */
  dir: string;
  /** Model store to fetch missing or corrupt artefacts from: `${baseUrl}/${league}/${file}`. */
  baseUrl?: string;
  /**
   * Never fetch from the model store (the `SKIP_S3` setting).
   * @default false
   */
  skipRemote?: boolean;
  /**
   * Make `init` throw when no valid model exists.
   * @default false
   */
  strict?: boolean;
  /**
   * Most leagues whose sessions are kept loaded.
   * @default 5
   */
  maxCached?: number;
  /**
   * Timeout of one artefact download, in milliseconds.
   * @default 30000
   */
  fetchTimeoutMs?: number;
  /** The fetch used for the model store. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Log sink. @default no logging */
  logger?: RegistryLogger;
  /**
   * Creates an ONNX session from verified model bytes.
   * @default single-threaded `ort.InferenceSession.create`
   */
  createSession?: (bytes: Uint8Array) => Promise<ort.InferenceSession>;
}

/** Serves verified league models as loaded ONNX sessions. */
export interface ModelRegistry {
  /** Scans the folder, verifies and fetches artefacts. Throws in strict mode if none is valid. */
  init(): Promise<RegistryReport>;
  /** The verified model card of a league (no session loading), or undefined. */
  card(league: string): ModelCard | undefined;
  /**
   * The loaded model of a league, loading it once however many callers ask. The sessions stay
   * valid until the league is evicted; prefer {@link ModelRegistry.use} for work that awaits.
   * Throws HttpError 503 when the league has no usable model.
   */
  get(league: string): Promise<LoadedModel>;
  /** Runs `fn` with the league's model pinned: eviction defers releasing it until `fn` settles. */
  use<T>(league: string, fn: (model: LoadedModel) => Promise<T> | T): Promise<T>;
  status(): RegistryStatus;
  /** Number of leagues whose sessions are loaded. */
  size(): number;
  /** Releases every session; later calls to `get` fail. */
  close(): Promise<void>;
}

interface Entry {
  league: string;
  promise: Promise<LoadedModel>;
  model?: LoadedModel;
  pins: number;
  evicted: boolean;
  released: boolean;
}

function defaultCreateSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  // Graphs are tiny: one thread avoids pool hand-offs that cost more than the maths. The
  // memory arena and memory patterns pre-allocate and keep buffers per session (24 sessions
  // with every league loaded) for tensors of a few hundred bytes: plain allocations are enough.
  return ort.InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    enableCpuMemArena: false,
    enableMemPattern: false,
  });
}

function join(...parts: string[]): string {
  return parts.join("/").replace(/\/+/g, "/");
}

/** Creates a {@link ModelRegistry} over `options.dir`. */
export function createModelRegistry(options: ModelRegistryOptions): ModelRegistry {
  const dir = options.dir;
  const maxCached = options.maxCached ?? 5;
  if (!Number.isInteger(maxCached) || maxCached < 1) {
    throw new RangeError(`Invalid maxCached "${maxCached}": expected a positive integer`);
  }
  const log: RegistryLogger = options.logger ?? (() => {});
  const createSession = options.createSession ?? defaultCreateSession;
  const remote = options.skipRemote ? "" : options.baseUrl ?? "";
  const download = { fetch: options.fetch, timeoutMs: options.fetchTimeoutMs };

  const cards = new Map<string, ModelCard>();
  const refused = new Map<string, string>();
  const entries = new Map<string, Entry>(); // insertion order = LRU order
  let initialised = false;
  let closed = false;

  /** Makes one artefact valid on disk; returns a refusal reason or undefined, and whether fetched. */
  async function ensureArtefact(
    league: string,
    file: string,
    expected: ArtefactDigest,
  ): Promise<{ reason?: string; fetched?: boolean }> {
    const path = join(dir, league, file);
    const local = await readOptional(path);
    if (local && (await matchesDigest(local, expected))) return {};
    const problem = local ? `checksum mismatch for "${file}"` : `missing "${file}"`;
    if (!remote) return { reason: problem };
    let bytes: Uint8Array;
    try {
      bytes = await downloadArtefact(remote, { league, file }, download);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return { reason: `${problem}; fetching it failed: ${why}` };
    }
    if (!(await matchesDigest(bytes, expected))) {
      return { reason: `${problem}; the fetched copy has a checksum mismatch` };
    }
    await writeAtomically(path, bytes);
    log("info", "Fetched model artefact", { league, file, bytes: bytes.byteLength });
    return { fetched: true };
  }

  async function inspect(league: string, report: RegistryReport): Promise<void> {
    const cardPath = join(dir, league, "model.json");
    const raw = await readOptional(cardPath);
    if (!raw) return;
    let card: ModelCard;
    try {
      card = parseModelCard(JSON.parse(new TextDecoder().decode(raw)));
    } catch (err) {
      refused.set(league, err instanceof Error ? err.message : String(err));
      return;
    }
    if (card.league !== league) {
      refused.set(league, `card league "${card.league}" does not match folder "${league}"`);
      return;
    }
    if (findLeague(league)?.key !== league) {
      refused.set(league, `"${league}" is not a league key`);
      return;
    }
    for (const [file, expected] of Object.entries(card.files)) {
      const result = await ensureArtefact(league, file, expected);
      if (result.reason) {
        refused.set(league, result.reason);
        return;
      }
      if (result.fetched) report.fetched.push(`${league}/${file}`);
    }
    cards.set(league, card);
  }

  async function init(): Promise<RegistryReport> {
    if (closed) throw new Error("Model registry is closed");
    cards.clear();
    refused.clear();
    const report: RegistryReport = { available: [], refused: [], fetched: [] };
    const leagues: string[] = [];
    try {
      for await (const e of Deno.readDir(dir)) if (e.isDirectory) leagues.push(e.name);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      log("warn", "Model folder not found", { dir });
    }
    for (const league of leagues.sort()) await inspect(league, report);
    report.available = [...cards.keys()].sort();
    report.refused = [...refused].map(([league, reason]) => ({ league, reason }));
    for (const league of report.available) {
      log("info", "Model available", { league, version: cards.get(league)?.version });
    }
    for (const r of report.refused) log("warn", "Model refused", { ...r });
    initialised = true;
    if (options.strict && report.available.length === 0) {
      const why = report.refused.map((r) => `${r.league}: ${r.reason}`).join("; ");
      throw new Error(`No valid model in "${dir}"${why ? ` (${why})` : ""}`);
    }
    return report;
  }

  async function load(league: string): Promise<LoadedModel> {
    const card = cards.get(league);
    if (!card) {
      const reason = refused.get(league);
      throw new HttpError(
        503,
        reason ? `Cannot load model "${league}": ${reason}` : `No model for "${league}"`,
        { code: "model_unavailable" },
      );
    }
    const sessions: ort.InferenceSession[] = [];
    const open = async (file: string) => {
      const bytes = await readOptional(join(dir, league, file));
      if (!bytes || !(await matchesDigest(bytes, card.files[file]))) {
        const reason = bytes ? `checksum mismatch for "${file}"` : `missing "${file}"`;
        cards.delete(league);
        refused.set(league, reason);
        log("error", "Model refused at load", { league, reason });
        throw new HttpError(503, `Cannot load model "${league}": ${reason}`, {
          code: "model_unavailable",
        });
      }
      const session = await createSession(bytes);
      sessions.push(session);
      return session;
    };
    try {
      const started = performance.now();
      const model: LoadedModel = {
        card,
        scoreMatrix: await open(card.score_matrix.file),
        classifiers: {
          fundamental: await open(card.classifiers.fundamental.file),
          blend: card.classifiers.blend ? await open(card.classifiers.blend.file) : undefined,
        },
      };
      log("info", "Model loaded", {
        league,
        version: card.version,
        ms: Math.round(performance.now() - started),
      });
      return model;
    } catch (err) {
      await Promise.allSettled(sessions.map((s) => s.release()));
      throw err;
    }
  }

  async function release(entry: Entry): Promise<void> {
    if (entry.released || !entry.model) return;
    entry.released = true;
    const m = entry.model;
    const all = [m.scoreMatrix, m.classifiers.fundamental, m.classifiers.blend];
    await Promise.allSettled(all.map((s) => s?.release()));
    log("debug", "Model released", { league: entry.league });
  }

  function evictIfNeeded(): void {
    while (entries.size > maxCached) {
      let victim: Entry | undefined;
      for (const e of entries.values()) {
        if (e.model) {
          victim = e;
          break;
        }
      }
      if (!victim) return; // only in-flight loads; they are counted again when they land
      entries.delete(victim.league);
      victim.evicted = true;
      log("info", "Model evicted", { league: victim.league });
      if (victim.pins === 0) void release(victim);
    }
  }

  function entryFor(league: string): Entry {
    if (closed) throw new HttpError(503, "Model registry is closed", { code: "model_unavailable" });
    const hit = entries.get(league);
    if (hit) {
      entries.delete(league);
      entries.set(league, hit);
      return hit;
    }
    const entry = { league, pins: 0, evicted: false, released: false } as Entry;
    entry.promise = load(league).then(
      (model) => {
        entry.model = model;
        if (closed) {
          void release(entry);
        } else {
          evictIfNeeded();
        }
        return model;
      },
      (err) => {
        if (entries.get(league) === entry) entries.delete(league);
        throw err;
      },
    );
    entries.set(league, entry);
    return entry;
  }

  async function use<T>(league: string, fn: (model: LoadedModel) => Promise<T> | T): Promise<T> {
    const entry = entryFor(league);
    entry.pins++;
    try {
      return await fn(await entry.promise);
    } finally {
      entry.pins--;
      if (entry.pins === 0 && (entry.evicted || closed)) await release(entry);
    }
  }

  return {
    init,
    card: (league) => cards.get(league),
    get: (league) => {
      try {
        return entryFor(league).promise;
      } catch (err) {
        return Promise.reject(err);
      }
    },
    use,
    status: () => ({
      ready: initialised && !closed && cards.size > 0,
      available: [...cards.keys()].sort(),
      loaded: [...entries.values()].filter((e) => e.model).map((e) => e.league),
      refused: [...refused].map(([league, reason]) => ({ league, reason })),
    }),
    size: () => [...entries.values()].filter((e) => e.model).length,
    close: async () => {
      closed = true;
      const all = [...entries.values()];
      entries.clear();
      await Promise.allSettled(all.map((e) => e.promise));
      await Promise.allSettled(all.filter((e) => e.pins === 0).map(release));
    },
  };
}

/**
 * The model registry: finds the league models under `models/`, verifies (and if needed fetches)
 * their ONNX artefacts by sha256 (`model_catalogue.ts`), and keeps the ONNX sessions of recently
 * used leagues in a small LRU cache with single-flight loading (`session_cache.ts`).
 * @module
 */
import {
  type CreateSession,
  defaultCreateSession,
  type LoadedModel,
  openModel,
} from "./loaded_model.ts";
import type { ModelCard } from "./model_card.ts";
import {
  ModelCatalogue,
  type RefusedModel,
  type RegistryLogger,
  type RegistryReport,
} from "./model_catalogue.ts";
import { ModelSessionCache } from "./session_cache.ts";

/** Snapshot of the registry for health checks. */
export interface RegistryStatus {
  /** True once `init` ran and at least one model is available. */
  ready: boolean;
  available: string[];
  /** Leagues whose sessions are in the cache, least recently used first. */
  loaded: string[];
  refused: RefusedModel[];
}

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
  createSession?: CreateSession;
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

/** The catalogue of verified models and the cache of their sessions, behind one interface. */
class FolderModelRegistry implements ModelRegistry {
  readonly #catalogue: ModelCatalogue;
  readonly #sessions: ModelSessionCache;
  readonly #strict: boolean;
  readonly #log: RegistryLogger;
  #initialised = false;

  constructor(options: ModelRegistryOptions) {
    const log: RegistryLogger = options.logger ?? (() => {});
    const createSession = options.createSession ?? defaultCreateSession;
    this.#log = log;
    this.#strict = options.strict ?? false;
    this.#catalogue = new ModelCatalogue({
      dir: options.dir,
      remote: options.skipRemote ? "" : options.baseUrl ?? "",
      download: { fetch: options.fetch, timeoutMs: options.fetchTimeoutMs },
      log,
    });
    this.#sessions = new ModelSessionCache({
      maxCached: options.maxCached ?? 5,
      load: (league) => this.#load(league, createSession),
      log,
    });
  }

  async init(): Promise<RegistryReport> {
    if (this.#sessions.closed) throw new Error("Model registry is closed");
    const report = await this.#catalogue.scan();
    this.#initialised = true;
    if (this.#strict && report.available.length === 0) {
      const why = report.refused.map((r) => `${r.league}: ${r.reason}`).join("; ");
      throw new Error(`No valid model in "${this.#catalogue.dir}"${why ? ` (${why})` : ""}`);
    }
    return report;
  }

  card(league: string): ModelCard | undefined {
    return this.#catalogue.card(league);
  }

  get(league: string): Promise<LoadedModel> {
    return this.#sessions.get(league);
  }

  use<T>(league: string, fn: (model: LoadedModel) => Promise<T> | T): Promise<T> {
    return this.#sessions.use(league, fn);
  }

  status(): RegistryStatus {
    return {
      ready: this.#initialised && !this.#sessions.closed && this.#catalogue.size > 0,
      available: this.#catalogue.available(),
      loaded: this.#sessions.loaded(),
      refused: this.#catalogue.refusals(),
    };
  }

  size(): number {
    return this.#sessions.size;
  }

  close(): Promise<void> {
    return this.#sessions.close();
  }

  async #load(league: string, createSession: CreateSession): Promise<LoadedModel> {
    const card = this.#catalogue.require(league);
    const started = performance.now();
    const model = await openModel(
      card,
      (file) => this.#catalogue.readVerified(league, file, card.files[file]),
      createSession,
    );
    this.#log("info", "Model loaded", {
      league,
      version: card.version,
      ms: Math.round(performance.now() - started),
    });
    return model;
  }
}

/** Creates a {@link ModelRegistry} over `options.dir`. */
export function createModelRegistry(options: ModelRegistryOptions): ModelRegistry {
  return new FolderModelRegistry(options);
}

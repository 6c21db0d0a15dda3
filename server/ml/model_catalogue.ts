/**
 * The catalogue of league models on disk: which leagues under the model folder have a valid
 * card and verified artefacts (fetching missing or corrupt ones from the model store), and why
 * the others are refused. It knows nothing of ONNX sessions.
 * @module
 */
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

/** A league whose model cannot be served, and why. */
export interface RefusedModel {
  league: string;
  reason: string;
}

/** What a scan of the model folder found. */
export interface RegistryReport {
  /** Leagues whose artefacts all verified. */
  available: string[];
  refused: RefusedModel[];
  /** `league/file` of artefacts fetched from the model store and verified. */
  fetched: string[];
}

/** Log sink: level, message, structured fields. */
export type RegistryLogger = (
  level: "debug" | "info" | "warn" | "error",
  msg: string,
  fields?: Record<string, unknown>,
) => void;

/** Options of {@link ModelCatalogue}. */
export interface ModelCatalogueOptions {
  /** Folder holding `<league>/model.json` and the ONNX files. */
  dir: string;
  /** Model store to fetch from (`${remote}/${league}/${file}`); empty: never fetch. */
  remote: string;
  /** Download settings of one artefact. */
  download: { fetch?: typeof fetch; timeoutMs?: number };
  log: RegistryLogger;
}

function join(...parts: string[]): string {
  return parts.join("/").replace(/\/+/g, "/");
}

function unavailable(message: string): HttpError {
  return new HttpError(503, message, { code: "model_unavailable" });
}

/** Verified model cards by league, and the refused leagues with their reasons. */
export class ModelCatalogue {
  readonly dir: string;
  readonly #remote: string;
  readonly #download: ModelCatalogueOptions["download"];
  readonly #log: RegistryLogger;
  readonly #cards = new Map<string, ModelCard>();
  readonly #refused = new Map<string, string>();

  constructor(options: ModelCatalogueOptions) {
    this.dir = options.dir;
    this.#remote = options.remote;
    this.#download = options.download;
    this.#log = options.log;
  }

  /** Forgets what was known, then inspects every league folder (in name order). */
  async scan(): Promise<RegistryReport> {
    this.#cards.clear();
    this.#refused.clear();
    const report: RegistryReport = { available: [], refused: [], fetched: [] };
    const leagues: string[] = [];
    try {
      for await (const e of Deno.readDir(this.dir)) if (e.isDirectory) leagues.push(e.name);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      this.#log("warn", "Model folder not found", { dir: this.dir });
    }
    for (const league of leagues.sort()) await this.#inspect(league, report);
    report.available = this.available();
    report.refused = this.refusals();
    for (const league of report.available) {
      this.#log("info", "Model available", { league, version: this.#cards.get(league)?.version });
    }
    for (const r of report.refused) this.#log("warn", "Model refused", { ...r });
    return report;
  }

  /** The verified card of a league, or undefined. */
  card(league: string): ModelCard | undefined {
    return this.#cards.get(league);
  }

  /** The verified card of a league; throws HttpError 503 saying why there is none. */
  require(league: string): ModelCard {
    const card = this.#cards.get(league);
    if (card) return card;
    const reason = this.#refused.get(league);
    throw unavailable(
      reason ? `Cannot load model "${league}": ${reason}` : `No model for "${league}"`,
    );
  }

  /**
   * The bytes of one of a league's artefacts, checked again: a file changed since the scan
   * refuses the league from then on and throws HttpError 503.
   */
  async readVerified(league: string, file: string, expected: ArtefactDigest): Promise<Uint8Array> {
    const bytes = await readOptional(join(this.dir, league, file));
    if (bytes && (await matchesDigest(bytes, expected))) return bytes;
    const reason = bytes ? `checksum mismatch for "${file}"` : `missing "${file}"`;
    this.#cards.delete(league);
    this.#refused.set(league, reason);
    this.#log("error", "Model refused at load", { league, reason });
    throw unavailable(`Cannot load model "${league}": ${reason}`);
  }

  /** Leagues with a verified card, sorted. */
  available(): string[] {
    return [...this.#cards.keys()].sort();
  }

  /** Number of leagues with a verified card. */
  get size(): number {
    return this.#cards.size;
  }

  refusals(): RefusedModel[] {
    return [...this.#refused].map(([league, reason]) => ({ league, reason }));
  }

  async #inspect(league: string, report: RegistryReport): Promise<void> {
    const raw = await readOptional(join(this.dir, league, "model.json"));
    if (!raw) return;
    let card: ModelCard;
    try {
      card = parseModelCard(JSON.parse(new TextDecoder().decode(raw)));
    } catch (err) {
      this.#refused.set(league, err instanceof Error ? err.message : String(err));
      return;
    }
    if (card.league !== league) {
      this.#refused.set(league, `card league "${card.league}" does not match folder "${league}"`);
      return;
    }
    if (findLeague(league)?.key !== league) {
      this.#refused.set(league, `"${league}" is not a league key`);
      return;
    }
    for (const [file, expected] of Object.entries(card.files)) {
      const result = await this.#ensureArtefact(league, file, expected);
      if (result.reason) {
        this.#refused.set(league, result.reason);
        return;
      }
      if (result.fetched) report.fetched.push(`${league}/${file}`);
    }
    this.#cards.set(league, card);
  }

  /** Makes one artefact valid on disk; returns a refusal reason or undefined, and whether fetched. */
  async #ensureArtefact(
    league: string,
    file: string,
    expected: ArtefactDigest,
  ): Promise<{ reason?: string; fetched?: boolean }> {
    const path = join(this.dir, league, file);
    const local = await readOptional(path);
    if (local && (await matchesDigest(local, expected))) return {};
    const problem = local ? `checksum mismatch for "${file}"` : `missing "${file}"`;
    if (!this.#remote) return { reason: problem };
    let bytes: Uint8Array;
    try {
      bytes = await downloadArtefact(this.#remote, { league, file }, this.#download);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return { reason: `${problem}; fetching it failed: ${why}` };
    }
    if (!(await matchesDigest(bytes, expected))) {
      return { reason: `${problem}; the fetched copy has a checksum mismatch` };
    }
    await writeAtomically(path, bytes);
    this.#log("info", "Fetched model artefact", { league, file, bytes: bytes.byteLength });
    return { fetched: true };
  }
}

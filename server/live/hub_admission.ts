/**
 * Who may open a live connection: the origin allow-list and the per-address connection limit.
 * @module
 */
import { HttpError } from "../http/errors.ts";
import type { Admission, ConnectionRegistry } from "./connection_registry.ts";

/** Who asks to connect. */
export interface AdmitRequest {
  /** The `Origin` header, if any. */
  origin?: string | null;
  /** The `Host` header, for same-origin checks. */
  host?: string | null;
  /** The client address the per-address limit counts. */
  address: string;
}

/** Options of {@link AdmissionControl}. */
export interface AdmissionOptions {
  registry: ConnectionRegistry;
  /** Browser origins allowed besides the server's own (`"*"` allows all). */
  allowedOrigins: readonly string[];
  maxConnectionsPerAddress: number;
}

/** Admits or refuses upgrade requests, counting the refusals. */
export class AdmissionControl {
  readonly #registry: ConnectionRegistry;
  readonly #allowed: Set<string>;
  readonly #maxPerAddress: number;
  #rejectedOrigin = 0;
  #rejectedLimit = 0;

  constructor(options: AdmissionOptions) {
    this.#registry = options.registry;
    this.#allowed = new Set(options.allowedOrigins.map(normaliseOrigin));
    this.#maxPerAddress = options.maxConnectionsPerAddress;
  }

  /** A permit for `request`; throws HttpError 403 (origin) or 429 (per-address limit). */
  admit(request: AdmitRequest): Admission {
    if (!originAllowed(request.origin, request.host, this.#allowed)) {
      this.#rejectedOrigin++;
      throw new HttpError(403, `Origin "${request.origin}" is not allowed`, {
        code: "origin_not_allowed",
      });
    }
    const address = request.address;
    const permit = this.#registry.reserve(address, this.#maxPerAddress);
    if (!permit) {
      this.#rejectedLimit++;
      throw new HttpError(
        429,
        `Too many WebSocket connections from "${address}" (at most ${this.#maxPerAddress})`,
        { code: "too_many_connections" },
      );
    }
    return permit;
  }

  /** Refusals so far. */
  counts(): { rejected_origin: number; rejected_limit: number } {
    return { rejected_origin: this.#rejectedOrigin, rejected_limit: this.#rejectedLimit };
  }
}

function normaliseOrigin(origin: string): string {
  if (origin === "*") return origin;
  try {
    return new URL(origin).origin;
  } catch {
    return origin;
  }
}

function originAllowed(
  origin: string | null | undefined,
  host: string | null | undefined,
  allowed: Set<string>,
): boolean {
  if (!origin) return true;
  if (allowed.has("*")) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (host && url.host === host) return true;
  return allowed.has(url.origin);
}

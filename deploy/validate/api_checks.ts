/**
 * Checks of the JSON API: health, readiness, liveness, the OpenAPI document, leagues, upcoming
 * matches, a prediction for two real teams and value bets.
 * @module
 */
import { type Answer, CheckFailure, expectStatus, jsonBody } from "./probe.ts";
import type { Check, DeploymentTarget } from "./target.ts";

/** GET `path` of the API as JSON, whatever the status (health answers JSON on 503 too). */
async function readJson<T>(target: DeploymentTarget, path: string) {
  const answer: Answer = await target.request("api", path);
  return { status: answer.status, body: jsonBody<T>(answer, `GET ${path}`) };
}

async function getJson<T>(target: DeploymentTarget, path: string): Promise<T> {
  const answer: Answer = await target.request("api", path);
  expectStatus(answer, 200, `GET ${path}`);
  return jsonBody<T>(answer, `GET ${path}`);
}

interface HealthBody {
  status?: string;
  uptime_seconds?: number;
  components?: Record<string, { status?: string }>;
}

interface ReadyBody {
  ready?: boolean;
  checks?: Record<string, { ok: boolean; detail?: string }>;
}

function arrayField<T>(body: Record<string, unknown>, field: string, what: string): T[] {
  const value = body[field];
  if (!Array.isArray(value)) throw new CheckFailure(`Expected "${field}" to be a list in ${what}`);
  return value as T[];
}

const health: Check = {
  name: "GET /health",
  async run(target) {
    const { status, body } = await readJson<HealthBody>(target, "/health");
    if (status !== 200 || (body.status !== "ok" && body.status !== "degraded")) {
      const down = Object.entries(body.components ?? {})
        .filter(([, c]) => c.status !== "ok" && c.status !== "degraded").map(([name]) => name);
      throw new CheckFailure(
        `Status "${body.status}" (${status})${down.length ? `: ${down.join(", ")} down` : ""}`,
      );
    }
    return `status ${body.status}, up ${Math.round(body.uptime_seconds ?? 0)} s`;
  },
};

const ready: Check = {
  name: "GET /health/ready",
  async run(target) {
    const { status, body } = await readJson<ReadyBody>(target, "/health/ready");
    const models = body.checks?.models?.detail ?? "model count not reported";
    if (status !== 200 || body.ready !== true) {
      const failing = Object.entries(body.checks ?? {}).filter(([, c]) => !c.ok)
        .map(([name, c]) => c.detail ? `${name} (${c.detail})` : name);
      throw new CheckFailure(
        `Not ready (${status}): ${failing.join(", ") || "no failing check named"}`,
      );
    }
    return `ready, models: ${models}`;
  },
};

const live: Check = {
  name: "GET /health/live",
  async run(target) {
    const body = await getJson<{ status?: string }>(target, "/health/live");
    if (body.status !== "ok") throw new CheckFailure(`Expected status "ok", got "${body.status}"`);
    return "alive";
  },
};

const openapi: Check = {
  name: "GET /openapi.json",
  async run(target) {
    const body = await getJson<{ openapi?: string; paths?: Record<string, unknown> }>(
      target,
      "/openapi.json",
    );
    if (typeof body.openapi !== "string" || !body.openapi.startsWith("3.")) {
      throw new CheckFailure(`Expected an OpenAPI 3 document, got version "${body.openapi}"`);
    }
    return `OpenAPI ${body.openapi}, ${Object.keys(body.paths ?? {}).length} paths`;
  },
};

const leagues: Check = {
  name: "GET /api/v1/leagues",
  async run(target) {
    const body = await getJson<Record<string, unknown>>(target, "/api/v1/leagues");
    const all = arrayField<{ key: string; available?: boolean }>(body, "leagues", "the leagues");
    const available = all.filter((l) => l.available !== false).map((l) => l.key);
    target.setLeagues(available);
    if (available.length === 0) throw new CheckFailure(`No available league of ${all.length}`);
    return `${available.length} of ${all.length} leagues available`;
  },
};

const upcoming: Check = {
  name: "GET /api/v1/matches/upcoming",
  async run(target) {
    const body = await getJson<Record<string, unknown>>(target, "/api/v1/matches/upcoming");
    const matches = arrayField(body, "matches", "the upcoming matches");
    return `${matches.length} upcoming matches`;
  },
};

const prediction: Check = {
  name: "POST /api/v1/predictions",
  async run(target) {
    const league = target.leagues()[0];
    const path = `/api/v1/leagues/${encodeURIComponent(league)}/teams`;
    const teams = arrayField<{ name: string }>(
      await getJson<Record<string, unknown>>(target, path),
      "teams",
      `the teams of "${league}"`,
    );
    if (teams.length < 2) throw new CheckFailure(`League "${league}" has ${teams.length} teams`);
    const request = { league, home_team: teams[0].name, away_team: teams[1].name };
    const answer = await target.request("api", "/api/v1/predictions", {
      method: "POST",
      json: request,
    });
    expectStatus(answer, 200, "POST /api/v1/predictions");
    const p = jsonBody<{ probabilities?: Record<string, number> }>(answer, "the prediction");
    const sum = Object.values(p.probabilities ?? {}).reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > 1e-6) {
      throw new CheckFailure(`Expected 1X2 probabilities summing to 1, got ${sum}`);
    }
    const home = Math.round((p.probabilities?.home_win ?? 0) * 100);
    return `${request.home_team} v ${request.away_team} (${league}): home ${home} %`;
  },
};

const valueBets: Check = {
  name: "GET /api/v1/value-bets",
  async run(target) {
    const body = await getJson<Record<string, unknown>>(target, "/api/v1/value-bets");
    return `${arrayField(body, "value_bets", "the value bets").length} value bets`;
  },
};

/** The API checks, in the order they run (the prediction uses the leagues check's keys). */
export const API_CHECKS: readonly Check[] = [
  health,
  ready,
  live,
  openapi,
  leagues,
  upcoming,
  prediction,
  valueBets,
];

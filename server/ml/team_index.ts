/**
 * Name lookup for the teams of a model card: canonical names and aliases, case- and
 * space-insensitive, with edit-distance suggestions for names it does not know.
 * @module
 */
import { closestNames, normaliseName } from "../domain/closest_names.ts";
import type { CardTeam, ModelCard } from "./model_card.ts";

/** Finds a card's teams by name or alias. */
export interface TeamIndex {
  /** The team called `name` (canonical or alias), or undefined. */
  resolve(name: string): CardTeam | undefined;
  /** Up to `count` canonical names closest to `name` by edit distance, closest first. */
  suggest(name: string, count?: number): string[];
}

const cache = new WeakMap<ModelCard, TeamIndex>();

/** The (cached) team index of a model card. */
export function teamIndex(card: ModelCard): TeamIndex {
  const hit = cache.get(card);
  if (hit) return hit;
  const byName = new Map<string, CardTeam>();
  const labels: [string, string][] = [];
  for (const team of card.teams) {
    for (const label of [team.name, ...team.aliases]) {
      byName.set(normaliseName(label), team);
      labels.push([label, team.name]);
    }
  }
  const index: TeamIndex = {
    resolve: (name) => byName.get(normaliseName(name)),
    suggest: (name, count = 3) => closestNames(name, labels, count),
  };
  cache.set(card, index);
  return index;
}

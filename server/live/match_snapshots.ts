/**
 * The current matches of some topics, sent to a live client whose missed events cannot be
 * replayed (the fleet's stream lost them) so it can reload its state.
 * @module
 */
import type { Topic, UpcomingMatch } from "../domain/live_protocol.ts";
import type { OddsStore, StoredMatch } from "./odds_store.ts";
import { toUpcomingMatch } from "./upcoming_view.ts";

/** Most matches a topic's snapshot holds, in kick-off order (the store's own default cap). */
const TOPIC_LIMIT = 500;

/** Builds a snapshot of the topics given; see {@link matchSnapshots}. */
export type MatchSnapshots = (topics: Topic[]) => Promise<UpcomingMatch[]>;

/**
 * Snapshots from `store()` (null until the store exists). A call loads the upcoming matches at
 * most once, whatever its topics (leagues are filtered in memory, before each topic's cap of
 * {@link TOPIC_LIMIT}: a cap over all leagues would cut a league off), and calls made while that
 * load is in flight share it: after an epoch change every connection asks at once.
 */
export function matchSnapshots(store: () => OddsStore | undefined): MatchSnapshots {
  let loading: Promise<StoredMatch[]> | undefined;
  function upcoming(s: OddsStore): Promise<StoredMatch[]> {
    return loading ??= s.upcoming({ limit: Number.POSITIVE_INFINITY })
      .finally(() => loading = undefined);
  }
  return async function snapshotOf(topics) {
    const s = store();
    if (!s) return [];
    let all: Promise<StoredMatch[]> | undefined;
    const found = new Map<string, StoredMatch>();
    for (const topic of topics) {
      let matches: (StoredMatch | null)[] = [];
      if (topic === "matches" || topic === "value-bets") {
        matches = (await (all ??= upcoming(s))).slice(0, TOPIC_LIMIT);
      } else if (topic.startsWith("league:")) {
        const league = topic.slice("league:".length);
        matches = (await (all ??= upcoming(s))).filter((m) => m.league === league)
          .slice(0, TOPIC_LIMIT);
      } else if (topic.startsWith("match:")) {
        // Read on its own: a match that kicked off is no longer upcoming but still served.
        matches = [await s.get(topic.slice("match:".length))];
      }
      for (const m of matches) if (m) found.set(m.id, m);
    }
    return [...found.values()].flatMap((m) => toUpcomingMatch(m) ?? []);
  };
}

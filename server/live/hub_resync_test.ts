import assert from "node:assert/strict";
import type { UpcomingMatch } from "../domain/live_protocol.ts";
import { startWsServer } from "../testing/ws_test_server.ts";
import { oddsEvent } from "./event_fixtures.ts";
import { Client, subscribe } from "./ws_test_client.ts";

/** A memory log with an epoch the test changes, as the fleet's stream does after a flush. */
function epochServer() {
  let epoch = "e1";
  let onChange: ((epoch: string) => void) | null = null;
  const gate = Promise.withResolvers<UpcomingMatch[]>();
  const snapshotAsked = Promise.withResolvers<void>();
  const s = startWsServer({
    wrapLog: (log) => ({
      ...log,
      epoch: () => epoch,
      async since(topics, afterId, clientEpoch) {
        if (clientEpoch !== epoch) return { events: [], truncated: true, epoch };
        return { ...(await log.since(topics, afterId)), epoch };
      },
      onEpochChange(listener) {
        onChange = listener;
        return () => (onChange = null);
      },
    }),
    // The snapshot waits for the test, so a client request can arrive while a resync waits.
    snapshot: () => {
      snapshotAsked.resolve();
      return gate.promise;
    },
  });
  return {
    s,
    changeEpoch(next: string) {
      epoch = next;
      onChange!(next);
    },
    snapshotAsked: snapshotAsked.promise,
    release: (matches: UpcomingMatch[]) => gate.resolve(matches),
  };
}

Deno.test("hub: a subscribe sent while an epoch resync waits for its snapshot loses no held event", async () => {
  const { s, changeEpoch, snapshotAsked, release } = epochServer();
  const client = await Client.open(s.url);
  try {
    await subscribe(client, { topics: ["matches"] });
    await s.broker.publish(oddsEvent({ id: "m1", home: 2.5 }));
    await client.until(() => client.events().length === 1);
    const before = client.messages.length;
    changeEpoch("e2");
    await snapshotAsked;
    // Held for the resync: it must follow the resync's snapshot.
    await s.broker.publish(oddsEvent({ id: "m1", home: 2.4 }));
    client.send({ type: "subscribe", topics: ["matches"], since: 1, epoch: "e1" });
    await new Promise((r) => setTimeout(r, 100));
    release([]);
    await client.until(() => client.of("subscribed").length === 3 && client.events().length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    const after = client.messages.slice(before).map((m) =>
      m.type === "subscribed"
        ? `subscribed:${m.recovered}:${m.epoch}`
        : `${m.type}:${"event_id" in m ? m.event_id : ""}`
    );
    assert.deepEqual(after, ["subscribed:false:e2", "odds:2", "subscribed:false:e2"]);
    assert.deepEqual(client.events(), [1, 2]);
  } finally {
    await client.close();
    await s.close();
  }
});

Deno.test("hub: a resync whose snapshot cannot be read sends no empty snapshot", async () => {
  let onChange: ((epoch: string) => void) | null = null;
  const s = startWsServer({
    wrapLog: (log) => ({
      ...log,
      epoch: () => "e2",
      onEpochChange(listener) {
        onChange = listener;
        return () => (onChange = null);
      },
    }),
    snapshot: () => Promise.reject(new Error("Redis is away")),
  });
  const client = await Client.open(s.url);
  try {
    await subscribe(client, { topics: ["matches"] });
    onChange!("e2");
    await client.until(() => client.of("subscribed").length === 2);
    const resynced = client.of("subscribed")[1];
    assert.equal(resynced.recovered, false);
    assert.equal("snapshot" in resynced, false, "an absent snapshot, not an empty board");
  } finally {
    await client.close();
    await s.close();
  }
});

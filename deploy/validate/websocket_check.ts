/**
 * The live WebSocket round trip: connect to `/ws`, expect `welcome`, send `subscribe` to
 * `matches`, expect `subscribed`, all within the deadline (protocol in
 * `server/domain/live_protocol.ts`).
 * @module
 */
import type { ClientMessage, ServerMessage } from "../../server/domain/live_protocol.ts";
import { CheckFailure } from "./probe.ts";
import type { Check, DeploymentTarget } from "./target.ts";

/** Longest wait for `welcome` and `subscribed`, in milliseconds. */
const ROUND_TRIP_MS = 5000;

/** The `ws:`/`wss:` URL of the hub behind an API base URL. */
export function hubUrl(apiUrl: string): string {
  const url = new URL(`${apiUrl}/ws`);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

function roundTrip(url: string, deadlineMs: number): Promise<string> {
  const started = performance.now();
  const socket = new WebSocket(url);
  let welcomed = false;
  let outcome: { ok: true; detail: string } | { ok: false; error: string } | undefined;
  const finish = (result: NonNullable<typeof outcome>) => {
    outcome ??= result;
    if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) {
      socket.close(1000);
    }
  };
  const timer = setTimeout(() => {
    const missing = welcomed ? "subscribed" : "welcome";
    finish({ ok: false, error: `No "${missing}" within ${deadlineMs / 1000} s` });
  }, deadlineMs);
  socket.onmessage = (event) => {
    let message: ServerMessage;
    try {
      message = JSON.parse(String(event.data)) as ServerMessage;
    } catch {
      finish({ ok: false, error: `Expected JSON, got "${String(event.data).slice(0, 60)}"` });
      return;
    }
    if (message.type === "welcome") {
      welcomed = true;
      const subscribe: ClientMessage = { type: "subscribe", topics: ["matches"] };
      socket.send(JSON.stringify(subscribe));
    } else if (message.type === "subscribed" && welcomed) {
      const ms = Math.round(performance.now() - started);
      finish({ ok: true, detail: `welcome and subscribed in ${ms} ms` });
    } else if (message.type === "error") {
      finish({ ok: false, error: `Hub answered ${message.code}: ${message.message}` });
    }
  };
  return new Promise((resolve, reject) => {
    socket.onclose = (event) => {
      clearTimeout(timer);
      const result = outcome ??
        { ok: false, error: `Closed before "subscribed" (code ${event.code})` };
      if (result.ok) resolve(result.detail);
      else reject(new CheckFailure(result.error));
    };
    socket.onerror = () => {
      finish({ ok: false, error: `Cannot open a WebSocket to ${url}` });
    };
  });
}

const websocket: Check = {
  name: "WebSocket /ws subscribe",
  run(target: DeploymentTarget) {
    target.assertReachable("api");
    return roundTrip(hubUrl(target.apiUrl), Math.min(ROUND_TRIP_MS, target.timeoutMs));
  },
};

/** The WebSocket check. */
export const WEBSOCKET_CHECKS: readonly Check[] = [websocket];

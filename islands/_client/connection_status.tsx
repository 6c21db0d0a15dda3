/**
 * The connection status pill (text and shape, not only colour).
 * @module
 */
import type { ConnectionStatus } from "./live_socket.ts";

const LABELS: Record<ConnectionStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline – waiting for network",
  closed: "Disconnected",
};

/** Shows whether live updates are flowing. */
export function ConnectionPill({ status }: { status: ConnectionStatus }) {
  return (
    <p class={`status status-${status}`} role="status" aria-live="polite" data-status={status}>
      <span class="status-dot" aria-hidden="true" />
      {LABELS[status]}
    </p>
  );
}

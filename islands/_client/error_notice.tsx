/**
 * The friendly error panel shown by islands: a title, a sentence, tips when they help, and a
 * "Try again" button.
 * @module
 */
import { describeError } from "./fetch_json.ts";

/** Props of {@link ErrorNotice}. */
export interface ErrorNoticeProps {
  error: unknown;
  onRetry?: () => void;
  /** Current time in epoch ms, for "try again in N s". @default Date.now() */
  now?: number;
}

/** Explains an error to the user, with a retry button when a retry is possible. */
export function ErrorNotice({ error, onRetry, now }: ErrorNoticeProps) {
  const friendly = describeError(error, now ?? Date.now());
  return (
    <div
      class="error-notice"
      role="alert"
      data-error-kind={(error as { kind?: string })?.kind ?? "unknown"}
    >
      <p class="error-title">
        <span aria-hidden="true">⚠</span> {friendly.title}
      </p>
      <p>{friendly.detail}</p>
      {friendly.tips.length > 0 && (
        <ul class="error-tips">
          {friendly.tips.map((tip) => <li key={tip}>{tip}</li>)}
        </ul>
      )}
      {onRetry && (
        <button type="button" class="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

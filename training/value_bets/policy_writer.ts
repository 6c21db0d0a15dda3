/**
 * The text of `models/value_policy.json` as the backtest writes it (`--write-policy`), checked
 * against the service's own schema first: a backtest never leaves a policy the server refuses to
 * start with.
 * @module
 */
import type { ValuePolicy } from "../../server/domain/value_policy.ts";
import { valuePolicyIssues } from "../../server/predict/value_policy.ts";

/** The file text of `policy`; throws naming every field the service would refuse. */
export function valuePolicyText(policy: ValuePolicy, path: string): string {
  const text = JSON.stringify(policy, null, 2) + "\n";
  // Checked after the JSON round trip, as the service reads it: NaN and Infinity become null.
  const issues = valuePolicyIssues(JSON.parse(text));
  if (issues.length > 0) {
    throw new Error(
      `Cannot write value policy "${path}": the service would refuse it: ${issues.join("; ")}`,
    );
  }
  return text;
}

/**
 * Parsing and validation of client -> server WebSocket messages. Every rejection carries a
 * machine-readable code that the hub sends back as an `error` message.
 * @module
 */
import { z } from "zod";
import type { ClientMessage, Topic } from "../domain/live_protocol.ts";

/** Why a client message was rejected. */
export type ClientMessageErrorCode =
  | "message_too_large"
  | "not_text"
  | "bad_json"
  | "bad_message"
  | "too_many_subscriptions";

/** A rejected client message. */
export class ClientMessageError extends Error {
  readonly code: ClientMessageErrorCode;
  constructor(code: ClientMessageErrorCode, message: string) {
    super(message);
    this.name = "ClientMessageError";
    this.code = code;
  }
}

const TOPIC_PATTERN = /^(matches|value-bets|league:[a-z0-9][a-z0-9-]{0,63}|match:[^\s]{1,200})$/;

const topicSchema = z.string().regex(TOPIC_PATTERN, {
  message: "Topic must be matches, value-bets, league:<key> or match:<id>",
}).transform((t) => t as Topic);

const topicsSchema = z.array(topicSchema).min(1).max(1000);

const clientMessageSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("subscribe"),
    topics: topicsSchema,
    since: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    epoch: z.string().min(1).max(64).optional(),
  }),
  z.strictObject({ type: z.literal("unsubscribe"), topics: topicsSchema }),
  z.strictObject({ type: z.literal("ping"), t: z.number().finite().optional() }),
]);

/** Whether `topic` is a well-formed topic name. */
export function isTopic(topic: string): topic is Topic {
  return TOPIC_PATTERN.test(topic);
}

/** UTF-8 length of a string, cheaply bounded: exact only when it could exceed `limit`. */
function exceedsBytes(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return new TextEncoder().encode(text).length > limit;
}

/**
 * Parses one WebSocket message from a client. Throws {@link ClientMessageError} when it is
 * binary, larger than `maxBytes`, not JSON, or not a valid `ClientMessage`.
 */
export function parseClientMessage(data: unknown, maxBytes: number): ClientMessage {
  if (typeof data !== "string") {
    throw new ClientMessageError("not_text", "Messages must be JSON text frames");
  }
  if (exceedsBytes(data, maxBytes)) {
    throw new ClientMessageError(
      "message_too_large",
      `Message is larger than ${maxBytes} bytes`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw new ClientMessageError("bad_json", "Message is not valid JSON");
  }
  const parsed = clientMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? ` at "${issue.path.join(".")}"` : "";
    throw new ClientMessageError("bad_message", `Invalid message${where}: ${issue.message}`);
  }
  return parsed.data;
}

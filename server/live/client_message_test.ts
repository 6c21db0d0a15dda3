import assert from "node:assert/strict";
import { ClientMessageError, parseClientMessage } from "./client_message.ts";

function codeOf(data: unknown, max = 200): string {
  try {
    parseClientMessage(data, max);
    return "ok";
  } catch (e) {
    assert.ok(e instanceof ClientMessageError);
    return e.code;
  }
}

Deno.test("parseClientMessage: accepts the three message types", () => {
  assert.deepEqual(
    parseClientMessage(
      '{"type":"subscribe","topics":["matches","league:spain-laliga","match:epl:2030-01-01:a-b:c"],"since":4}',
      200,
    ),
    {
      type: "subscribe",
      topics: ["matches", "league:spain-laliga", "match:epl:2030-01-01:a-b:c"],
      since: 4,
    },
  );
  assert.deepEqual(parseClientMessage('{"type":"unsubscribe","topics":["value-bets"]}', 200), {
    type: "unsubscribe",
    topics: ["value-bets"],
  });
  assert.deepEqual(parseClientMessage('{"type":"ping","t":5}', 200), { type: "ping", t: 5 });
});

Deno.test("parseClientMessage: rejects bad input with a code", () => {
  assert.equal(codeOf("not json"), "bad_json");
  assert.equal(codeOf(new Uint8Array([1, 2])), "not_text");
  assert.equal(codeOf('{"type":"dance"}'), "bad_message");
  assert.equal(codeOf('{"type":"subscribe","topics":[]}'), "bad_message");
  assert.equal(codeOf('{"type":"subscribe","topics":["odds"]}'), "bad_message");
  assert.equal(codeOf('{"type":"subscribe","topics":["match:a b"]}'), "bad_message");
  assert.equal(codeOf('{"type":"subscribe","topics":["league:Bad Key"]}'), "bad_message");
  assert.equal(codeOf('{"type":"subscribe","topics":["matches"],"since":-1}'), "bad_message");
  assert.equal(codeOf('{"type":"ping","extra":1}'), "bad_message");
  assert.equal(codeOf("[1,2]"), "bad_message");
  assert.equal(codeOf(`{"type":"ping","t":1${" ".repeat(300)}}`), "message_too_large");
  // 70 three-byte characters are 210 bytes: over a 200-byte limit though only 70 UTF-16 units.
  assert.equal(codeOf(`"${"€".repeat(70)}"`), "message_too_large");
});

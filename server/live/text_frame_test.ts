import assert from "node:assert/strict";
import { parseFrame } from "./raw_ws_client.ts";
import { textFrame, TextFrameCache } from "./text_frame.ts";

Deno.test("textFrame: every payload length encoding parses back to the message", () => {
  for (
    const message of ["", "a".repeat(125), "é".repeat(63), "a".repeat(126), "ü".repeat(40_000)]
  ) {
    const bytes = textFrame(message);
    const parsed = parseFrame(bytes, 0);
    assert.ok(parsed, `a whole frame for ${message.length} chars`);
    assert.equal(parsed.next, bytes.length, "nothing after the payload");
    assert.equal(bytes[0], 0x81, "final text frame");
    assert.equal(bytes[1] & 0x80, 0, "unmasked, as a server sends");
    assert.equal(new TextDecoder().decode(parsed.frame.payload), message);
  }
});

Deno.test("TextFrameCache: one frame per message, rebuilt when the message changes", () => {
  const cache = new TextFrameCache();
  const first = cache.frameOf('{"event_id":1}');
  assert.equal(cache.frameOf('{"event_id":1}'), first);
  const second = cache.frameOf('{"event_id":2}');
  assert.notEqual(second, first);
  assert.equal(new TextDecoder().decode(second.subarray(2)), '{"event_id":2}');
});

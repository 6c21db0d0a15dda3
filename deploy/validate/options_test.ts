import assert from "node:assert/strict";
import { parseValidateArgs, UsageError } from "./options.ts";

Deno.test("parseValidateArgs: defaults, the web URL and the poll options", async (t) => {
  await t.step("one URL serves API and web, one attempt", () => {
    assert.deepEqual(parseValidateArgs(["https://api.example.com/"]), {
      apiUrl: "https://api.example.com",
      webUrl: "https://api.example.com",
      poll: false,
      maxAttempts: 1,
      intervalSeconds: 5,
      json: false,
    });
  });
  await t.step("two URLs, --poll with both spellings of a value, --json", () => {
    const o = parseValidateArgs([
      "http://api.local:8000",
      "http://web.local",
      "--poll",
      "--max-attempts=3",
      "--interval",
      "0.5",
      "--json",
    ]);
    assert.equal(o.webUrl, "http://web.local");
    assert.equal(o.maxAttempts, 3);
    assert.equal(o.intervalSeconds, 0.5);
    assert.equal(o.json, true);
  });
  await t.step("--poll alone tries 10 times", () => {
    assert.equal(parseValidateArgs(["http://a", "--poll"]).maxAttempts, 10);
  });
});

Deno.test("parseValidateArgs: each bad argument is named", () => {
  const cases: [string[], RegExp][] = [
    [[], /^Expected the API URL$/],
    [["not a url"], /^Expected the API URL to be a URL like/],
    [["http://a", "ws://b"], /^Expected the web URL to be an http or https URL, got "ws:\/\/b"$/],
    [["http://a?x=1"], /without a query or fragment/],
    [["http://a", "http://b", "http://c"], /^Expected at most two URLs \(API and web\), got 3$/],
    [["http://a", "--verbose"], /^Unknown option "--verbose"$/],
    [["http://a", "--poll", "--max-attempts"], /^Expected a value after --max-attempts$/],
    [["http://a", "--poll", "--max-attempts", "2.5"], /whole number of at least 1, got "2.5"/],
    [["http://a", "--poll", "--interval", "-1"], /from 0 to 3600, got "-1"/],
    [["http://a", "--max-attempts", "3"], /^Expected --poll with --max-attempts or --interval$/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseValidateArgs(args), (e: unknown) => {
      assert.ok(e instanceof UsageError, String(e));
      assert.match(e.message, message, args.join(" "));
      return true;
    });
  }
});

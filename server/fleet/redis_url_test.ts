import assert from "node:assert/strict";
import { redactPassword, redisUrlProblem } from "./redis_url.ts";

Deno.test("redisUrlProblem: names what is wrong, never the password", async (t) => {
  await t.step("good URLs have none", () => {
    for (const url of ["redis://127.0.0.1:6379", "rediss://u:p@cache.example:6380/2"]) {
      assert.equal(redisUrlProblem(url), null, url);
    }
  });
  await t.step("a scheme other than redis: or rediss:", () => {
    assert.equal(
      redisUrlProblem("http://:hunter22@cache.example:6379"),
      'Expected a redis: or rediss: URL like "redis://:password@host:6379", got "http://:***@cache.example:6379"',
    );
  });
  await t.step("no host", () => {
    assert.equal(redisUrlProblem("redis:///0"), 'Expected a host in "redis:///0"');
  });
  await t.step("not a URL", () => {
    assert.match(redisUrlProblem("cache:6379")!, /got "cache:6379"$/);
    assert.match(redisUrlProblem("redis://:hunter22@")!, /got "redis:\/\/:\*\*\*@"$/);
  });
});

Deno.test("redactPassword: the written and the decoded password both go", () => {
  const url = "redis://user:p%40ss%2Fw0rd@cache.example:6379";
  assert.equal(redactPassword(url, url), "redis://user:***@cache.example:6379");
  assert.equal(
    redactPassword("WRONGPASS for p@ss/w0rd at cache.example", url),
    "WRONGPASS for *** at cache.example",
  );
  assert.equal(redactPassword("nothing to hide", "redis://cache.example:6379"), "nothing to hide");
});

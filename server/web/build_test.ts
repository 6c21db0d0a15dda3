import assert from "node:assert/strict";
import config from "../../fresh.config.ts";
import { assertNoServerInputs, buildClient } from "./build.ts";

Deno.test("buildClient: bundles the runtime and every island with one shared Preact", async () => {
  const build = await buildClient(config);
  assert.ok(build.entries.has("islands/_client/boot.ts"));
  assert.ok(build.entries.has("islands/LiveBoard.tsx"));
  assert.ok(build.entries.has("islands/PredictForm.tsx"));
  for (const name of build.files.keys()) assert.match(name, /^[\w-]+-[A-Z0-9]{8}\.js$/);
  // Preact's core is in exactly one output file, shared by the runtime and the islands.
  const withPreact = [...build.files.entries()].filter(([, data]) =>
    new TextDecoder().decode(data).includes("__H")
  );
  assert.equal(withPreact.length, 1, "one copy of preact/hooks");
  const preactInputs = build.inputs.filter((i) => i.includes("preact/dist/preact.module.js"));
  assert.equal(preactInputs.length, 1);
  assertNoServerInputs(build.inputs);
  assert.ok(
    build.inputs.filter((i) => i.startsWith("server/")).every((i) =>
      i.startsWith("server/domain/")
    ),
    "client bundles import nothing under server/ but server/domain/",
  );
  assert.match(build.buildId, /^[0-9a-f]{16}$/);
});

Deno.test("assertNoServerInputs: refuses server modules in a client bundle", () => {
  assert.throws(
    () => assertNoServerInputs(["islands/X.tsx", "server/domain/types.ts", "server/errors.ts"]),
    /Client bundle imports server module "server\/errors.ts"/,
  );
  assertNoServerInputs(["islands/X.tsx", "server/domain/live_protocol.ts"]);
});

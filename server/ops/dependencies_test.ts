import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

Deno.test("dependencies: every npm import in the import map names one exact version", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const loose = Object.entries(config.imports as Record<string, string>)
    .filter(([, spec]) => spec.startsWith("npm:"))
    .filter(([, spec]) => !/^npm:\/?(@[^/@]+\/)?[^/@]+@\d+\.\d+\.\d+(\/)?$/.test(spec));
  assert.deepEqual(loose, []);
});

Deno.test("dependencies: the lock file holds every npm import of the import map", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const lock = JSON.parse(await Deno.readTextFile(new URL("deno.lock", ROOT)));
  const locked = new Set(Object.keys(lock.specifiers ?? {}));
  const missing = Object.values(config.imports as Record<string, string>)
    .filter((spec) => spec.startsWith("npm:"))
    .map((spec) => spec.replace(/^npm:\/?/, "npm:").replace(/\/$/, ""))
    .filter((spec) => !locked.has(spec));
  assert.deepEqual(missing, []);
});

import assert from "node:assert/strict";
import { matchesDigest, readOptional, sha256Hex, writeAtomically } from "./artefacts.ts";

Deno.test("sha256Hex: matches the FIPS 180-2 test vector", async () => {
  assert.equal(
    await sha256Hex(new TextEncoder().encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("matchesDigest: checks both size and checksum", async () => {
  const bytes = new TextEncoder().encode("abc");
  const sha256 = await sha256Hex(bytes);
  assert.equal(await matchesDigest(bytes, { sha256, bytes: 3 }), true);
  assert.equal(await matchesDigest(bytes, { sha256, bytes: 4 }), false);
  assert.equal(await matchesDigest(bytes, { sha256: "0".repeat(64), bytes: 3 }), false);
});

Deno.test("writeAtomically: replaces the file and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/model.onnx`;
    assert.equal(await readOptional(path), undefined);
    await writeAtomically(path, Uint8Array.of(1, 2, 3));
    await writeAtomically(path, Uint8Array.of(4, 5));
    assert.deepEqual(await readOptional(path), Uint8Array.of(4, 5));
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["model.onnx"]);
    await assert.rejects(writeAtomically(`${dir}/missing/x.onnx`, Uint8Array.of(1)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { isDroppable, openColdPages, parseSmaps } from "./page_warmup.ts";

const SMAPS = `55d0c0a00000-55d0c0b00000 r-xp 00000000 fd:01 1234    /usr/bin/deno
Size:               1024 kB
Rss:                 512 kB
Anonymous:             0 kB
55d0c0b00000-55d0c0b10000 r--p 00100000 fd:01 1234    /usr/bin/deno
Size:                 64 kB
Rss:                  64 kB
Anonymous:            16 kB
55d0c0b10000-55d0c0b20000 rw-p 00110000 fd:01 1234    /usr/bin/deno
Rss:                  64 kB
Anonymous:             0 kB
7f0000000000-7f0000100000 rw-p 00000000 00:00 0
Rss:                1024 kB
Anonymous:          1024 kB
7f0000100000-7f0000200000 r--s 00000000 fd:01 99      /tmp/shared.db
Rss:                 128 kB
Anonymous:             0 kB
7f0000200000-7f0000300000 r-xp 00000000 fd:01 77      /opt/lib/libgone.so (deleted)
Rss:                 256 kB
Anonymous:             0 kB
7f0000300000-7f0000400000 r-xp 00000000 fd:01 78      /opt/lib/libcold.so
Rss:                   0 kB
Anonymous:             0 kB
`;

Deno.test("parseSmaps reads ranges, permissions, paths and the resident and anonymous sizes", () => {
  const maps = parseSmaps(SMAPS);
  assert.deepEqual(maps.length, 7);
  assert.deepEqual(maps[0], {
    start: 0x55d0c0a00000n,
    end: 0x55d0c0b00000n,
    perms: "r-xp",
    path: "/usr/bin/deno",
    rssKb: 512,
    anonymousKb: 0,
  });
  assert.deepEqual(maps[3].path, "");
  assert.deepEqual(maps[3].anonymousKb, 1024);
  assert.deepEqual(maps[5].path, "/opt/lib/libgone.so (deleted)");
});

Deno.test("only clean, read-only, private, resident file pages may be dropped", () => {
  const verdicts = parseSmaps(SMAPS).map(isDroppable);
  assert.deepEqual(verdicts, [
    true, // code of a file, clean
    false, // read-only but holds copied-on-write pages (relocations): would lose them
    false, // writable
    false, // anonymous memory
    false, // shared mapping
    false, // the file is gone: its pages could not come back
    false, // nothing resident
  ]);
});

function droppableRssKb(): number {
  return parseSmaps(Deno.readTextFileSync("/proc/self/smaps"))
    .filter(isDroppable)
    .reduce((kb, m) => kb + m.rssKb, 0);
}

Deno.test("release() drops this process's clean file pages, and the process keeps working", () => {
  const cold = openColdPages();
  try {
    if (!cold.available) {
      assert.deepEqual(cold.release(), null);
      return;
    }
    const before = droppableRssKb();
    assert(before > 1024, `expected resident code pages, found ${before} kB`);
    const result = cold.release();
    if (result === null) throw new Error("release() returned null although available");
    assert(result.mappings > 0);
    assert(result.releasedKb >= before * 0.9, `released ${result.releasedKb} of ${before} kB`);
    // Whatever runs next faults its pages back in from the page cache.
    const after = droppableRssKb();
    assert(after < before / 2, `still ${after} kB resident of ${before} kB`);
    const text = JSON.stringify({ ok: [1, 2, 3] });
    assert.deepEqual(JSON.parse(text), { ok: [1, 2, 3] });
    assert.deepEqual(new TextDecoder().decode(new TextEncoder().encode("käse")), "käse");
  } finally {
    cold.close();
  }
  assert.deepEqual(cold.release(), null);
});

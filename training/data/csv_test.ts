import assert from "node:assert/strict";
import { parseCsv } from "./csv.ts";

Deno.test("parseCsv: splits plain and quoted fields", () => {
  const records = parseCsv('\uFEFFa,b,c\r\n1,"two, 2","say ""hi"""\n\n,,\n');
  assert.deepEqual(records, [
    { line: 1, fields: ["a", "b", "c"] },
    { line: 2, fields: ["1", "two, 2", 'say "hi"'] },
    { line: 4, fields: ["", "", ""] },
  ]);
});

Deno.test("parseCsv: flags malformed quoting without losing later lines", () => {
  const records = parseCsv('a,b\n"open,1\nx"y,2\n"q"z,3\nok,4');
  assert.equal(records.length, 5);
  assert.equal(records[1].error, "unterminated_quote");
  assert.equal(records[2].error, "stray_quote");
  assert.equal(records[3].error, "stray_quote");
  assert.deepEqual(records[4], { line: 5, fields: ["ok", "4"] });
});

Deno.test("parseCsv: keeps empty trailing and quoted empty fields", () => {
  assert.deepEqual(parseCsv('x,"",\n')[0].fields, ["x", "", ""]);
  assert.deepEqual(parseCsv('""')[0].fields, [""]);
});

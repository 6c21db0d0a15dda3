import assert from "node:assert/strict";
import { type JsonObject, openApiDocument } from "./openapi.ts";

type Operation = { parameters?: JsonObject[]; responses: Record<string, unknown> };

function operations(): [string, Operation][] {
  const paths = openApiDocument().paths as Record<string, Record<string, Operation>>;
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item).map((
      [method, op],
    ): [string, Operation] => [`${method.toUpperCase()} ${path}`, op])
  );
}

Deno.test("openApiDocument: security and license are declared", () => {
  const doc = openApiDocument();
  assert.deepEqual(doc.security, [], "public API: an explicit empty requirement");
  const license = (doc.info as JsonObject).license as JsonObject;
  assert.ok(license.name && license.identifier);
});

Deno.test("openApiDocument: numeric query parameters are typed with their ranges", () => {
  const found: string[] = [];
  for (const [name, op] of operations()) {
    for (const p of op.parameters ?? []) {
      if (!["limit", "min_edge", "min_odds", "max_odds", "since"].includes(p.name as string)) {
        continue;
      }
      found.push(`${name} ${p.name}`);
      const schema = p.schema as JsonObject;
      const types = schema.anyOf
        ? (schema.anyOf as JsonObject[]).map((s) => s.type)
        : [schema.type];
      assert.ok(types.includes("integer") || types.includes("number"), `${name} ${p.name}`);
      if (p.name !== "since") assert.equal(typeof schema.minimum, "number", `${name} ${p.name}`);
      if (p.name !== "since") assert.equal(typeof schema.maximum, "number", `${name} ${p.name}`);
    }
  }
  assert.equal(found.length, 7, found.join(", "));
});

Deno.test("openApiDocument: path parameters have examples; operations have 4xx answers", () => {
  for (const [name, op] of operations()) {
    for (const p of op.parameters ?? []) {
      if (p.in === "path") assert.ok(p.example, `${name} ${p.name} has no example`);
    }
    const codes = Object.keys(op.responses);
    assert.ok(codes.some((c) => c.startsWith("4")), `${name} has no 4xx answer`);
  }
});

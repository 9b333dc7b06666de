// The OpenAPI document the Worker serves is a build-time file (assets/admin/openapi.json); it must be
// exactly what the admin routes declare, so a route or schema change without `npm run openapi` fails here;
// and every route has its documentation (src/http/admin/docs/operations.ts, by operationId) and no more.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { OPENAPI_ASSET_PATH } from "../../src/adapters/assets-documents";
import { ADMIN_API_VERSION, adminOperations } from "../../src/http/admin/app";
import { openApiDocument } from "../../src/http/admin/docs/openapi";
import { operationDocs } from "../../src/http/admin/docs/operations";
import type { RouteSpec } from "../../src/http/admin/router";

describe("assets/admin/openapi.json", () => {
  it("is the document the admin routes declare (run `npm run openapi` after changing a route)", () => {
    const committed: unknown = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../assets", OPENAPI_ASSET_PATH), "utf8"));
    expect(committed).toEqual(openApiDocument(adminOperations(), ADMIN_API_VERSION));
  });

  it("documents every declared operation once", () => {
    const doc = openApiDocument(adminOperations(), ADMIN_API_VERSION) as { paths: Record<string, Record<string, { operationId: string }>> };
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(adminOperations().length);
  });

  it("has one documentation entry per route and none for a route that does not exist", () => {
    const routes = adminOperations().map((op) => op.operationId);
    const documented = Object.keys(operationDocs);
    expect(routes.filter((id) => !documented.includes(id))).toEqual([]);
    expect(documented.filter((id) => !routes.includes(id))).toEqual([]);
  });

  it("refuses to build the document for a route without documentation", () => {
    const undocumented: RouteSpec = { method: "get", path: "/nowhere", operationId: "notDocumented", scope: "read" };
    expect(() => openApiDocument([...adminOperations(), undocumented], ADMIN_API_VERSION)).toThrow(/no documentation for operation notDocumented/);
  });
});

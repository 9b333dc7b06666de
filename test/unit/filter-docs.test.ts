// docs/filters.md stays true: every filter in its JSON examples compiles, the refused form it names
// is refused, and the depth it states for its example holds.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileFilter } from "../../src/core/filter";

const page = readFileSync(new URL("../../docs/filters.md", import.meta.url), "utf8");

/** The filters of the page's ```json blocks: a rule's destination filters, a whole block, or one per line. */
function documentedFilters(): unknown[] {
  const filters: unknown[] = [];
  for (const [, block = ""] of page.matchAll(/```json\n([\s\S]*?)```/g)) {
    let values: unknown[];
    try {
      values = [JSON.parse(block)];
    } catch {
      values = block
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as unknown);
    }
    for (const value of values) {
      const destinations = (value as { destinations?: { filter?: unknown }[] }).destinations;
      if (destinations === undefined) filters.push(value);
      else for (const d of destinations) if (d.filter !== undefined) filters.push(d.filter);
    }
  }
  return filters;
}

describe("docs/filters.md", () => {
  it("has examples, and every one compiles", () => {
    const filters = documentedFilters();
    expect(filters.length).toBeGreaterThan(8);
    for (const filter of filters) expect(compileFilter(filter), JSON.stringify(filter)).toMatchObject({ ok: true });
  });

  it("the forms it calls refused are refused, and its depth example is right", () => {
    expect(compileFilter({ "body.a": { $not: { $gt: 5 } } }).ok).toBe(false);
    expect(compileFilter({ $not: { "body.a": { $gt: 5 } } }).ok).toBe(true);
    expect(page).toContain('`{ "$not": { "body.a": { "$gt": 1 } } }` has 3 levels');
    let deep: unknown = { $not: { "body.a": { $gt: 1 } } };
    for (let i = 3; i < 8; i++) deep = { $not: deep };
    expect(compileFilter(deep).ok).toBe(true);
    expect(compileFilter({ $not: deep }).ok).toBe(false);
  });

  it("quotes the checker's messages as it words them", () => {
    const refused = compileFilter({ $or: [{ "body.a": 1 }, { "body.amount": { $gt: true } }] });
    expect(refused.ok || refused.problems[0]?.message).toBe("$gt needs a number or string");
    expect(page).toContain("$or[1].body.amount: $gt needs a number or string");
    const path = compileFilter({ amount: 1 });
    expect(path.ok || page.includes(`filter.amount: ${path.problems[0]?.message ?? ""}`)).toBe(true);
  });
});

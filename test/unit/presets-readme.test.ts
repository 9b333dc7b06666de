// The README's provider table is the registry's: regenerate it with `npm run presets:table -- --write`.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SCHEME_NAMES } from "../../src/core/signatures/index";
import { TABLE_END, TABLE_START, presetsTable } from "../../scripts/lib/presets-table";

describe("README provider table", () => {
  const readme = readFileSync("README.md", "utf8");

  it("is exactly the table generated from the registry", () => {
    const start = readme.indexOf(TABLE_START);
    const end = readme.indexOf(TABLE_END);
    expect(start).toBeGreaterThan(-1);
    expect(readme.slice(start, end + TABLE_END.length)).toBe(presetsTable());
  });

  it("has a row for every scheme but none", () => {
    const rows = presetsTable()
      .split("\n")
      .filter((line) => line.startsWith("| ["));
    expect(rows).toHaveLength(SCHEME_NAMES.length - 1);
    for (const name of SCHEME_NAMES) if (name !== "none") expect(presetsTable()).toContain(`| \`${name}\` |`);
  });
});

// Checking a filter document (src/core/filter.ts, CONTRACT §5): operators, argument types, paths,
// the 4 KB and 8-level limits, and a JSON path with every problem.
import { describe, expect, it } from "vitest";
import { compileFilter, MAX_FILTER_BYTES, MAX_FILTER_DEPTH, type FilterProblem } from "../../src/core/filter";

function problems(json: unknown): FilterProblem[] {
  const result = compileFilter(json);
  if (result.ok) throw new Error(`expected ${JSON.stringify(json)} to be refused`);
  return result.problems;
}

function one(json: unknown): string {
  const found = problems(json);
  expect(found).toHaveLength(1);
  const [p] = found;
  return `${p?.path.join(" ")}: ${p?.message}`;
}

/** A filter of exactly `levels` levels: `$not` wrappers around one operator object. */
function nested(levels: number): unknown {
  let filter: unknown = { "body.a": { $gt: 1 } };
  for (let i = 2; i < levels; i++) filter = { $not: filter };
  return filter;
}

describe("a valid filter", () => {
  it("compiles every operator and path kind", () => {
    const result = compileFilter({
      "body.a.0.b": { $eq: 1, $neq: [1], $in: [1, "1", null], $nin: [{ a: 1 }], $contains: { a: [1] } },
      "headers.X-Region": { $gt: "a", $gte: 1, $lt: "z", $lte: 2.5, $exists: true },
      event_type: { $startsWith: "invoice.", $endsWith: ".paid" },
      source: "stripe",
      $and: [{ "body.x": null }],
      $or: [{ "body.y": [1, 2] }, { "body.z": {} }],
      $not: { "body.w": false },
    });
    expect(result.ok).toBe(true);
  });
});

describe("problems and their paths", () => {
  it.each([
    [[], "must be a filter object"],
    ["body.a", "must be a filter object"],
    [null, "must be a filter object"],
    [{}, "must have at least one condition"],
  ])("refuses %j at the root", (json, message) => {
    expect(one(json)).toBe(`: ${message}`);
  });

  it.each([
    [{ amount: 1 }, "amount: is not a field path; use body.<dot.path>, headers.<name>, event_type or source"],
    [{ body: 1 }, "body: is not a field path; use body.<dot.path>, headers.<name>, event_type or source"],
    [{ "body.": 1 }, "body.: a body path needs a name between every two dots (body.data.items.0.sku)"],
    [{ "body.a..b": 1 }, "body.a..b: a body path needs a name between every two dots (body.data.items.0.sku)"],
    [{ "body.a.": 1 }, "body.a.: a body path needs a name between every two dots (body.data.items.0.sku)"],
    [{ "headers.": 1 }, "headers.: headers.<name> needs an HTTP header name"],
    [{ "headers.x region": 1 }, "headers.x region: headers.<name> needs an HTTP header name"],
    [{ Event_Type: "a" }, "Event_Type: is not a field path; use body.<dot.path>, headers.<name>, event_type or source"],
  ])("refuses the path of %j", (json, expected) => {
    expect(one(json)).toBe(expected);
  });

  it("refuses a __proto__ key as a path rather than skipping it", () => {
    expect(one(JSON.parse('{"__proto__": {"body.a": 1}}'))).toBe("__proto__: is not a field path; use body.<dot.path>, headers.<name>, event_type or source");
  });

  it.each([
    [{ $eq: undefined }, "$eq needs a JSON value (undefined)"],
    [{ $neq: Number.NaN }, "$neq needs a JSON value (a number that is not finite)"],
    [{ $contains: () => 1 }, "$contains needs a JSON value (a function)"],
    [{ $eq: new Date(0) }, "$eq needs a JSON value (an object that is not plain JSON)"],
    [{ $in: "a" }, "$in needs a non-empty list"],
    [{ $nin: [] }, "$nin needs a non-empty list"],
    [{ $in: [1, Number.POSITIVE_INFINITY] }, "$in needs a JSON value (a number that is not finite)"],
    [{ $gt: true }, "$gt needs a number or string"],
    [{ $gte: null }, "$gte needs a number or string"],
    [{ $lt: [1] }, "$lt needs a number or string"],
    [{ $lte: Number.POSITIVE_INFINITY }, "$lte needs a number or string"],
    [{ $exists: 1 }, "$exists needs true or false"],
    [{ $startsWith: 1 }, "$startsWith needs a string"],
    [{ $endsWith: null }, "$endsWith needs a string"],
    [{ $regex: "a" }, "unknown operator $regex"],
    [{ $not: { $gt: 1 } }, "$not combines filters: write it beside field paths, not among a field's operators"],
    [{ $gt: 1, amount: 2 }, 'mixes operators with fields (amount); to match an object literally write { "$eq": { ... } }'],
  ])("refuses the operator object %o", (operators, message) => {
    expect(one({ "body.amount": operators })).toBe(`body.amount: ${message}`);
  });

  it("refuses a literal that is not JSON", () => {
    expect(one({ "body.a": Number.NaN })).toBe("body.a: must be a JSON value (a number that is not finite)");
    expect(one({ "body.a": { b: [1, undefined] } })).toBe("body.a: must be a JSON value (undefined)");
  });

  it.each([
    [{ $and: {} }, "$and: $and needs a non-empty list of filters"],
    [{ $or: [] }, "$or: $or needs a non-empty list of filters"],
    [{ $and: [{ "body.a": 1 }, "b"] }, "$and 1: must be a filter object"],
    [{ $or: [{}] }, "$or 0: must have at least one condition"],
    [{ $not: [{ "body.a": 1 }] }, "$not: must be a filter object"],
    [{ $gt: 1 }, '$gt: $gt is not a combinator (a filter\'s keys are field paths, $and, $or, $not); write { "<path>": { "$gt": ... } }'],
    [{ $nor: [] }, "$nor: $nor is not a combinator (a filter's keys are field paths, $and, $or, $not)"],
  ])("refuses the combinator in %j", (json, expected) => {
    expect(one(json)).toBe(expected);
  });

  it("reports every problem at once, each at its own path", () => {
    expect(
      problems({
        "body.ok": 1,
        $or: [{ "body.a": 1 }, { "body.amount": { $gt: true } }, { $not: { "headers.x": { $exists: "yes" } } }],
        $and: [{ bad: 1 }],
      }),
    ).toEqual([
      { path: ["$or", 1, "body.amount"], message: "$gt needs a number or string" },
      { path: ["$or", 2, "$not", "headers.x"], message: "$exists needs true or false" },
      { path: ["$and", 0, "bad"], message: "is not a field path; use body.<dot.path>, headers.<name>, event_type or source" },
    ]);
  });

  it("never throws, whatever it is given", () => {
    const circular: Record<string, unknown> = { "body.a": 1 };
    circular.self = circular;
    expect(one(circular)).toBe(": must be JSON");
    expect(one({ "body.a": 10n })).toBe(": must be JSON");
    expect(one(Object.create({ inherited: 1 }))).toBe(": must be a filter object");
    for (const input of [undefined, 1, "x", Symbol("s"), () => 1, new Map(), [1]]) expect(compileFilter(input).ok).toBe(false);
  });
});

describe("limits", () => {
  it(`accepts ${MAX_FILTER_BYTES} bytes of serialized JSON and refuses one more`, () => {
    const frame = JSON.stringify({ "body.a": "" }).length;
    expect(compileFilter({ "body.a": "x".repeat(MAX_FILTER_BYTES - frame) }).ok).toBe(true);
    expect(one({ "body.a": "x".repeat(MAX_FILTER_BYTES - frame + 1) })).toBe(`: is ${MAX_FILTER_BYTES + 1} bytes as JSON; at most ${MAX_FILTER_BYTES}`);
  });

  it("counts the size in UTF-8 bytes", () => {
    const frame = JSON.stringify({ "body.a": "" }).length;
    const euros = Math.floor((MAX_FILTER_BYTES - frame) / 3);
    expect(compileFilter({ "body.a": "€".repeat(euros) }).ok).toBe(true);
    expect(compileFilter({ "body.a": "€".repeat(euros + 1) }).ok).toBe(false);
    expect(compileFilter({ "body.a": "😀".repeat(Math.floor((MAX_FILTER_BYTES - frame) / 4) + 1) }).ok).toBe(false);
  });

  it(`accepts ${MAX_FILTER_DEPTH} levels and refuses ${MAX_FILTER_DEPTH + 1}`, () => {
    expect(compileFilter(nested(MAX_FILTER_DEPTH)).ok).toBe(true);
    const found = problems(nested(MAX_FILTER_DEPTH + 1));
    expect(found).toEqual([{ path: [...Array<string>(MAX_FILTER_DEPTH - 1).fill("$not"), "body.a"], message: "nests deeper than 8 levels" }]);
  });

  it("counts a combinator's filters and an operator object as one level each; lists add none", () => {
    // Levels: root 1, $and's filter 2, $or's filter 3, $not's filter 4, operator object 5, literal objects 6-8.
    const deepest = { $and: [{ $or: [{ $not: { "body.a": { $eq: { b: [{ c: { d: 1 } }] } } } }] }] };
    expect(compileFilter(deepest).ok).toBe(true);
    const tooDeep = { $and: [{ $or: [{ $not: { "body.a": { $eq: { b: [{ c: { d: { e: 1 } } }] } } } }] }] };
    expect(problems(tooDeep)).toEqual([{ path: ["$and", 0, "$or", 0, "$not", "body.a"], message: "nests deeper than 8 levels" }]);
  });

  it("counts a literal object given without an operator as a level", () => {
    let literal: unknown = 1;
    for (let i = 0; i < MAX_FILTER_DEPTH - 1; i++) literal = { a: literal };
    expect(compileFilter({ "body.a": literal }).ok).toBe(true);
    expect(one({ "body.a": { a: literal } })).toBe("body.a: nests deeper than 8 levels");
  });
});

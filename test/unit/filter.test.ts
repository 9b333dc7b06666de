// Content filter evaluation (src/core/filter-match.ts, CONTRACT §5): every path kind and operator,
// JSON equality, type mismatches, absent fields, arrays, non-JSON bodies, combinators, lazy parsing.
import { describe, expect, it } from "vitest";
import { matches } from "../../src/core/filter";
import { check, compiled, subject } from "./filter-fixtures";

const order = {
  type: "order.created",
  livemode: true,
  amount: 12_500,
  currency: "eur",
  note: null,
  created_at: "2026-03-01T10:00:00Z",
  tags: ["vip", "eu", 7, { kind: "gift" }],
  customer: { id: "cus_1", address: { country: "DE" } },
  items: [
    { sku: "A-1", qty: 2 },
    { sku: "B-2", qty: 1 },
  ],
  counts: { "0": "zero-key", "01": "leading-zero-key" },
  empty: {},
};

describe("paths", () => {
  it.each([
    [{ "body.amount": 12_500 }, true],
    [{ "body.customer.address.country": "DE" }, true],
    [{ "body.customer.address.country": "FR" }, false],
    [{ "body.items.0.sku": "A-1" }, true],
    [{ "body.items.1.qty": 1 }, true],
    [{ "body.items.2.sku": { $exists: true } }, false],
    [{ "body.tags.3.kind": "gift" }, true],
    [{ "body.counts.0": "zero-key" }, true],
    [{ "body.counts.01": "leading-zero-key" }, true],
    [{ "body.items.01.sku": { $exists: true } }, false],
    [{ "body.items.-1": { $exists: true } }, false],
    [{ "body.amount.value": { $exists: true } }, false],
    [{ "body.currency.length": { $exists: true } }, false],
  ])("reads %j from the body: %s", (filter, expected) => {
    expect(check(filter, { body: order })).toBe(expected);
  });

  it("reads only own properties and array indexes, never anything inherited", () => {
    for (const path of ["__proto__", "constructor", "toString", "hasOwnProperty", "items.length", "items.constructor", "customer.__proto__.polluted"]) {
      expect(check({ [`body.${path}`]: { $exists: true } }, { body: order }), path).toBe(false);
      expect(check({ [`body.${path}`]: { $exists: false } }, { body: order }), path).toBe(true);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("reads a body's own __proto__ and constructor keys as ordinary fields", () => {
    const body: unknown = JSON.parse('{"__proto__": {"admin": true}, "constructor": "x"}');
    expect(check({ "body.__proto__.admin": true }, { body })).toBe(true);
    expect(check({ "body.constructor": "x" }, { body })).toBe(true);
    expect(check({ "body.__proto__": { $eq: { admin: true } } }, { body })).toBe(true);
  });

  it("reads headers by name, case-insensitively", () => {
    const parts = { headers: { "X-Region": "eu", "Content-Type": "application/json" } };
    expect(check({ "headers.x-region": "eu" }, parts)).toBe(true);
    expect(check({ "headers.X-REGION": "eu" }, parts)).toBe(true);
    expect(check({ "headers.x-region": "EU" }, parts)).toBe(false);
    expect(check({ "headers.content-type": { $startsWith: "application/" } }, parts)).toBe(true);
    expect(check({ "headers.x-missing": { $exists: false } }, parts)).toBe(true);
  });

  it("passes the header name in lower case to the subject", () => {
    const asked: string[] = [];
    const s = { ...subject(), header: (name: string) => (asked.push(name), undefined) };
    matches(compiled({ "headers.X-Region": { $exists: false } }), s);
    expect(asked).toEqual(["x-region"]);
  });

  it("reads event_type and source", () => {
    const parts = { eventType: "invoice.paid", source: "stripe" };
    expect(check({ event_type: "invoice.paid", source: "stripe" }, parts)).toBe(true);
    expect(check({ event_type: { $startsWith: "invoice." } }, parts)).toBe(true);
    expect(check({ source: { $in: ["github", "shopify"] } }, parts)).toBe(false);
    expect(check({ event_type: { $exists: false } }, {})).toBe(true);
    expect(check({ source: "stripe" }, {})).toBe(false);
  });

  it("header values are strings, so a number literal never equals one", () => {
    expect(check({ "headers.x-count": 3 }, { headers: { "x-count": "3" } })).toBe(false);
    expect(check({ "headers.x-count": "3" }, { headers: { "x-count": "3" } })).toBe(true);
  });
});

describe("JSON equality", () => {
  it.each([
    [{ "body.amount": "12500" }, false],
    [{ "body.amount": 12_500.0 }, true],
    [{ "body.livemode": "true" }, false],
    [{ "body.livemode": 1 }, false],
    [{ "body.note": null }, true],
    [{ "body.note": false }, false],
    [{ "body.missing": null }, false],
    [{ "body.customer.address": { $eq: { country: "DE" } } }, true],
    [{ "body.customer.address": { country: "DE" } }, true],
    [{ "body.customer": { address: { country: "DE" }, id: "cus_1" } }, true],
    [{ "body.customer": { id: "cus_1" } }, false],
    [{ "body.customer.address": { country: "DE", city: null } }, false],
    [{ "body.empty": {} }, true],
    [{ "body.empty": [] }, false],
    [
      {
        "body.items": [
          { qty: 2, sku: "A-1" },
          { sku: "B-2", qty: 1 },
        ],
      },
      true,
    ],
    [
      {
        "body.items": [
          { sku: "B-2", qty: 1 },
          { sku: "A-1", qty: 2 },
        ],
      },
      false,
    ],
    [{ "body.tags": ["vip", "eu", 7] }, false],
    [{ "body.tags": "vip" }, false],
  ])("%j: %s", (filter, expected) => {
    expect(check(filter, { body: order })).toBe(expected);
  });

  it("compares strings exactly, without case folding or normalisation", () => {
    expect(check({ "body.s": "e\u0301" }, { body: { s: "\u00e9" } })).toBe(false);
    expect(check({ "body.s": "Eur" }, { body: { s: "eur" } })).toBe(false);
  });
});

describe("operators on a present value", () => {
  it.each([
    ["$eq", 12_500, true],
    ["$eq", 12_499, false],
    ["$neq", 12_499, true],
    ["$neq", 12_500, false],
    ["$neq", "12500", true],
    ["$in", [1, 12_500], true],
    ["$in", ["12500"], false],
    ["$nin", [1, 2], true],
    ["$nin", [12_500], false],
    ["$gt", 12_499, true],
    ["$gt", 12_500, false],
    ["$gte", 12_500, true],
    ["$gte", 12_501, false],
    ["$lt", 12_501, true],
    ["$lt", 12_500, false],
    ["$lte", 12_500, true],
    ["$lte", 12_499.5, false],
    ["$gt", "1", false],
    ["$lt", "99999", false],
    ["$exists", true, true],
    ["$exists", false, false],
    ["$startsWith", "12", false],
    ["$endsWith", "00", false],
    ["$contains", "25", false],
    ["$contains", 12_500, false],
  ])("body.amount (12500) %s %j: %s", (op, arg, expected) => {
    expect(check({ "body.amount": { [op]: arg } }, { body: order })).toBe(expected);
  });

  it.each([
    ["$startsWith", "2026-03", true],
    ["$startsWith", "2026-04", false],
    ["$endsWith", "Z", true],
    ["$endsWith", "z", false],
    ["$contains", "T10:", true],
    ["$contains", "t10:", false],
    ["$gt", "2026-02-28T23:59:59Z", true],
    ["$gte", "2026-03-01T10:00:00Z", true],
    ["$lt", "2026-03-01T10:00:01Z", true],
    ["$lte", "2026-03-01T09:59:59Z", false],
    ["$gt", 2025, false],
    ["$in", ["2026-03-01T10:00:00Z"], true],
  ])("body.created_at %s %j: %s", (op, arg, expected) => {
    expect(check({ "body.created_at": { [op]: arg } }, { body: order })).toBe(expected);
  });

  it("orders strings by UTF-16 code units, not code points", () => {
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FF61 by code unit.
    expect(check({ "body.s": { $lt: "\uff61" } }, { body: { s: "\u{1F600}" } })).toBe(true);
    expect(check({ "body.s": { $gt: "Z" } }, { body: { s: "a" } })).toBe(true);
    expect(check({ "body.s": { $gt: "10" } }, { body: { s: "9" } })).toBe(true);
  });

  it("$contains finds an equal element in an array, objects compared as JSON", () => {
    expect(check({ "body.tags": { $contains: "vip" } }, { body: order })).toBe(true);
    expect(check({ "body.tags": { $contains: 7 } }, { body: order })).toBe(true);
    expect(check({ "body.tags": { $contains: "7" } }, { body: order })).toBe(false);
    expect(check({ "body.tags": { $contains: "vi" } }, { body: order })).toBe(false);
    expect(check({ "body.tags": { $contains: { kind: "gift" } } }, { body: order })).toBe(true);
    expect(check({ "body.tags": { $contains: { kind: "gift", extra: 1 } } }, { body: order })).toBe(false);
    expect(check({ "body.items": { $contains: { sku: "B-2", qty: 1 } } }, { body: order })).toBe(true);
    expect(check({ "body.customer": { $contains: "cus_1" } }, { body: order })).toBe(false);
  });

  it("$exists: true matches null, false, 0 and the empty string", () => {
    for (const v of [null, false, 0, "", [], {}]) expect(check({ "body.v": { $exists: true } }, { body: { v } }), JSON.stringify(v)).toBe(true);
  });

  it("$startsWith, $endsWith and comparisons are false on arrays, objects, booleans and null", () => {
    for (const v of [["a"], { a: 1 }, true, null]) {
      for (const [op, arg] of [
        ["$startsWith", "a"],
        ["$endsWith", "a"],
        ["$gt", "a"],
        ["$lte", 1],
      ] as const) {
        expect(check({ "body.v": { [op]: arg } }, { body: { v } }), `${JSON.stringify(v)} ${op}`).toBe(false);
      }
    }
  });

  it("requires every operator of one object to match", () => {
    expect(check({ "body.amount": { $gte: 10_000, $lt: 20_000 } }, { body: order })).toBe(true);
    expect(check({ "body.amount": { $gte: 10_000, $lt: 12_000 } }, { body: order })).toBe(false);
  });
});

describe("an absent value", () => {
  it.each([
    ["$eq", null, false],
    ["$neq", null, true],
    ["$neq", 1, true],
    ["$in", [null, 1], false],
    ["$nin", [null, 1], true],
    ["$gt", 0, false],
    ["$gte", "", false],
    ["$lt", 0, false],
    ["$lte", "z", false],
    ["$exists", true, false],
    ["$exists", false, true],
    ["$startsWith", "", false],
    ["$endsWith", "", false],
    ["$contains", "", false],
  ])("matches %s %j: %s", (op, arg, expected) => {
    const filter = { "body.nowhere.to.be.found": { [op]: arg } };
    expect(check(filter, { body: order })).toBe(expected);
    expect(check({ "headers.x-absent": { [op]: arg } }, {})).toBe(expected);
  });

  it("agrees with $not: { p: { $neq: x } } is { $not: { p: x } }", () => {
    for (const body of [order, { amount: 1 }, undefined]) {
      expect(check({ "body.amount": { $neq: 12_500 } }, { body })).toBe(check({ $not: { "body.amount": 12_500 } }, { body }));
    }
  });
});

describe("a body that is not JSON", () => {
  it("has no body fields, and headers, event type and source still count", () => {
    const parts = { body: undefined, headers: { "x-region": "eu" }, eventType: "ping", source: "acme" };
    expect(check({ "body.a": { $exists: false } }, parts)).toBe(true);
    expect(check({ "body.a": { $exists: true } }, parts)).toBe(false);
    expect(check({ "body.a": { $neq: 1 } }, parts)).toBe(true);
    expect(check({ "headers.x-region": "eu", event_type: "ping", source: "acme" }, parts)).toBe(true);
  });

  it("treats a JSON scalar body as having no fields", () => {
    for (const body of [null, 42, "text", true]) expect(check({ "body.a": { $exists: true } }, { body })).toBe(false);
  });

  it("treats a body parser that throws as a body that is not JSON, and never throws itself", () => {
    const s = {
      ...subject(),
      json: (): unknown => {
        throw new SyntaxError("bad json");
      },
    };
    expect(matches(compiled({ "body.a": { $exists: false } }), s)).toBe(true);
    expect(matches(compiled({ "body.a": 1 }), s)).toBe(false);
  });

  it("treats a header reader that throws as an absent header", () => {
    const s = {
      ...subject(),
      header: (): string => {
        throw new TypeError("bad name");
      },
    };
    expect(matches(compiled({ "headers.x-a": { $nin: ["a"] } }), s)).toBe(true);
  });
});

describe("combinators", () => {
  const stripeExample = {
    "body.data.object.amount": { $gte: 10_000 },
    "body.livemode": true,
    $or: [{ "headers.x-region": "eu" }, { "body.data.object.currency": { $in: ["eur", "chf"] } }],
  };
  const invoice = (amount: number, currency: string, livemode = true) => ({ livemode, data: { object: { amount, currency } } });

  it.each([
    [invoice(12_000, "chf"), {}, true],
    [invoice(12_000, "usd"), { "x-region": "eu" }, true],
    [invoice(12_000, "usd"), { "x-region": "us" }, false],
    [invoice(9_999, "eur"), {}, false],
    [invoice(50_000, "eur", false), {}, false],
  ])("the CONTRACT §5 example on %j with headers %j: %s", (body, headers, expected) => {
    expect(check(stripeExample, { body, headers })).toBe(expected);
  });

  it("nests $and, $or and $not at any level", () => {
    const filter = {
      $and: [
        { $or: [{ "body.currency": "usd" }, { $not: { "body.amount": { $lt: 10_000 } } }] },
        { $not: { $or: [{ "body.tags": { $contains: "blocked" } }, { "headers.x-test": { $exists: true } }] } },
      ],
    };
    expect(check(filter, { body: order })).toBe(true);
    expect(check(filter, { body: order, headers: { "x-test": "1" } })).toBe(false);
    expect(check(filter, { body: { ...order, amount: 5 } })).toBe(false);
    expect(check(filter, { body: { ...order, amount: 5, currency: "usd" } })).toBe(true);
  });

  it("ANDs every key of a filter object", () => {
    expect(check({ "body.currency": "eur", "body.livemode": true }, { body: order })).toBe(true);
    expect(check({ "body.currency": "eur", "body.livemode": false }, { body: order })).toBe(false);
  });
});

describe("parsing the body lazily", () => {
  it("never asks for the body when no condition reads it", () => {
    const filter = compiled({ event_type: "a", $or: [{ "headers.x-a": "1" }, { $not: { source: "s" } }] });
    const s = subject({ body: order, eventType: "a", source: "s", headers: { "x-a": "1" } });
    expect(filter.usesBody).toBe(false);
    expect(matches(filter, s)).toBe(true);
    expect(s.jsonCalls).toBe(0);
  });

  it("asks for the body once, however many conditions read it", () => {
    const filter = compiled({ "body.amount": { $gt: 1 }, "body.currency": "eur", $or: [{ "body.x": 1 }, { "body.items.0.sku": "A-1" }] });
    const s = subject({ body: order });
    expect(filter.usesBody).toBe(true);
    expect(matches(filter, s)).toBe(true);
    expect(s.jsonCalls).toBe(1);
  });

  it("checks headers, event type and source before body paths, whatever the key order", () => {
    const filter = compiled({ "body.amount": { $gt: 1 }, event_type: "order.created" });
    const s = subject({ body: order, eventType: "user.created" });
    expect(matches(filter, s)).toBe(false);
    expect(s.jsonCalls).toBe(0);
  });
});

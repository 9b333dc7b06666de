// Routing decisions (src/core/routing.ts): pattern matching and specificity, source-specific rules,
// event type resolution order and validity, dot paths into JSON.
import { describe, expect, it } from "vitest";
import { isValidEventType, matchRule, MAX_EVENT_TYPE_LENGTH, patternMatches, readDotPath, resolveEventType, routeName, specificity } from "../../src/core/routing";

describe("patternMatches", () => {
  it.each([
    ["user.created", "user.created", true],
    ["user.created", "user.created.v2", false],
    ["user.created", "user", false],
    ["user.*", "user.created", true],
    ["user.*", "user.profile.updated", true],
    ["user.*", "user", false],
    ["user.*", "user.", false],
    ["user.*", "users.created", false],
    ["user.*", "superuser.created", false],
    ["*", "anything.at.all", true],
    ["*", "x", true],
  ])("%s against %s is %s", (pattern, eventType, expected) => {
    expect(patternMatches(pattern, eventType)).toBe(expected);
  });
});

describe("specificity", () => {
  it("ranks exact above any prefix, longer prefixes above shorter, and * last", () => {
    expect(specificity("a.b")).toBeGreaterThan(specificity(`${"x".repeat(150)}.*`));
    expect(specificity("user.profile.*")).toBeGreaterThan(specificity("user.*"));
    expect(specificity("user.*")).toBeGreaterThan(specificity("*"));
  });
});

describe("matchRule", () => {
  const rules = [
    { event_type: "*" },
    { event_type: "user.*" },
    { event_type: "user.profile.*" },
    { event_type: "user.created" },
    { event_type: "user.created", source: "acme" },
    { event_type: "order.*", source: "acme" },
    { event_type: "user.*", source: "legacy" },
  ];

  it("prefers the exact rule, then the longest prefix, then *", () => {
    expect(matchRule(rules, "other", "user.created")).toBe(3);
    expect(matchRule(rules, "other", "user.profile.updated")).toBe(2);
    expect(matchRule(rules, "other", "user.deleted")).toBe(1);
    expect(matchRule(rules, "other", "invoice.paid")).toBe(0);
  });

  it("prefers a source-specific rule over a generic one of the same pattern, for that source only", () => {
    expect(matchRule(rules, "acme", "user.created")).toBe(4);
    expect(matchRule(rules, "legacy", "user.deleted")).toBe(6);
    expect(matchRule(rules, "legacy", "user.created")).toBe(3);
  });

  it("never applies another source's rule", () => {
    expect(matchRule(rules, "other", "order.placed")).toBe(0);
    expect(matchRule(rules.slice(4), "other", "user.created")).toBe(-1);
  });

  it("keeps list order between equally specific rules and answers -1 when nothing matches", () => {
    expect(matchRule([{ event_type: "a.*" }, { event_type: "a.*" }], "s", "a.b")).toBe(0);
    expect(matchRule([{ event_type: "a.b" }], "s", "a.c")).toBe(-1);
    expect(matchRule([], "s", "a.b")).toBe(-1);
  });
});

describe("routeName", () => {
  it("is the pattern, prefixed with the source when the rule names one", () => {
    expect(routeName({ event_type: "user.*" })).toBe("user.*");
    expect(routeName({ event_type: "user.*", source: "acme" })).toBe("acme:user.*");
  });
});

describe("isValidEventType", () => {
  it.each(["user.created", "orders/create", "charge:succeeded", "a_b-c.d", "x".repeat(MAX_EVENT_TYPE_LENGTH)])("accepts %s", (value) => {
    expect(isValidEventType(value)).toBe(true);
  });
  it.each(["", "user..created", ".user", "user.", "user created", "user.*", "*", "ü.x", "x".repeat(MAX_EVENT_TYPE_LENGTH + 1)])("refuses %j", (value) =>
    expect(isValidEventType(value)).toBe(false),
  );
});

describe("readDotPath", () => {
  const doc = { user: { id: "u1", n: 42, inf: Infinity, flag: true, nested: { deep: "yes" }, list: ["a"] }, top: "t" };

  it("reads strings and finite numbers along a dot path", () => {
    expect(readDotPath(doc, "top")).toBe("t");
    expect(readDotPath(doc, "user.id")).toBe("u1");
    expect(readDotPath(doc, "user.n")).toBe("42");
    expect(readDotPath(doc, "user.nested.deep")).toBe("yes");
    // A decimal segment indexes an array (Adyen's `notificationItems.0.NotificationRequestItem.eventCode`).
    expect(readDotPath(doc, "user.list.0")).toBe("a");
  });

  it("answers undefined for objects, booleans, arrays, non-finite numbers, missing keys and non-JSON", () => {
    for (const path of [
      "user",
      "user.flag",
      "user.list",
      "user.list.1",
      "user.list.01",
      "user.list.x",
      "user.list.length",
      "user.inf",
      "user.missing",
      "nope.id",
      "user.id.more",
    ]) {
      expect(readDotPath(doc, path)).toBeUndefined();
    }
    expect(readDotPath(undefined, "a")).toBeUndefined();
    expect(readDotPath("text", "a")).toBeUndefined();
    expect(readDotPath({}, "constructor")).toBeUndefined();
    expect(readDotPath({}, "__proto__")).toBeUndefined();
  });
});

describe("resolveEventType", () => {
  const json = (value: unknown) => () => value;
  const never = () => {
    throw new Error("the body must not be parsed when the path or header decides");
  };

  it("takes the path first, then the header, then the JSON field", () => {
    expect(resolveEventType({ fromPath: "a.path", fromHeader: "a.header", json: never, field: "type" })).toBe("a.path");
    expect(resolveEventType({ fromPath: undefined, fromHeader: "a.header", json: never, field: "type" })).toBe("a.header");
    expect(resolveEventType({ fromPath: undefined, fromHeader: undefined, json: json({ type: "a.field" }), field: "type" })).toBe("a.field");
    expect(resolveEventType({ fromPath: undefined, fromHeader: "  ", json: json({ meta: { kind: "k.v" } }), field: "meta.kind" })).toBe("k.v");
  });

  it("answers undefined when the chosen source holds an invalid type, without falling through", () => {
    expect(resolveEventType({ fromPath: "bad type", fromHeader: "a.header", json: never, field: "type" })).toBeUndefined();
    expect(resolveEventType({ fromPath: undefined, fromHeader: "bad type", json: json({ type: "a.field" }), field: "type" })).toBeUndefined();
  });

  it("answers undefined when nothing names a type", () => {
    expect(resolveEventType({ fromPath: undefined, fromHeader: undefined, json: json(undefined), field: "type" })).toBeUndefined();
    expect(resolveEventType({ fromPath: undefined, fromHeader: undefined, json: json({ type: true }), field: "type" })).toBeUndefined();
    expect(resolveEventType({ fromPath: undefined, fromHeader: undefined, json: json({ type: "a" }), field: undefined })).toBeUndefined();
  });
});

describe("matchRule with filters (docs/contract.md §5)", () => {
  const rules = [
    { event_type: "user.*" },
    { event_type: "user.created", filter: "v2" },
    { event_type: "user.created" },
    { event_type: "user.created", source: "acme", filter: "acme-v3" },
    { event_type: "user.created", filter: "v9" },
  ];
  const only =
    (...passing: string[]) =>
    (rule: { filter?: string }) =>
      rule.filter !== undefined && passing.includes(rule.filter);

  it("prefers a rule with a matching filter over the same pattern without one", () => {
    expect(matchRule(rules, "other", "user.created", only("v2"))).toBe(1);
  });

  it("skips a rule whose filter does not match, so a less specific rule can take the event", () => {
    expect(matchRule(rules, "other", "user.created", only())).toBe(2);
    expect(
      matchRule(
        rules.filter((r) => r.event_type !== "user.created" || r.filter !== undefined),
        "other",
        "user.created",
        only(),
      ),
    ).toBe(0);
  });

  it("keeps source before filter: a source-specific rule with a filter wins only when its filter matches", () => {
    expect(matchRule(rules, "acme", "user.created", only("acme-v3", "v2"))).toBe(3);
    expect(matchRule(rules, "acme", "user.created", only("v2"))).toBe(1);
  });

  it("takes the first listed of tied rules, and evaluates filters lazily, most specific first, until one matches", () => {
    const asked: string[] = [];
    const index = matchRule(rules, "other", "user.created", (r) => {
      asked.push(r.filter ?? "");
      return true;
    });
    expect(index).toBe(1);
    expect(asked).toEqual(["v2"]);
  });

  it("answers -1 when no rule matches, filters included", () => {
    expect(matchRule([{ event_type: "user.created", filter: "x" }], "other", "user.created", only())).toBe(-1);
  });
});

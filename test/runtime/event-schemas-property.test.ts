// Property (docs/contract.md §9): whatever JSON (or non-JSON) a verified producer sends to a route
// with an event schema, the gateway answers 202 when it matches and 422 schema-violation with 1-10
// errors when it does not — never a 5xx — and enqueues exactly the events it accepted.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import example from "../../config/examples/versioned-orders.json";
import { parseConfig } from "../../src/config/load";
import { callInstant as call, envWith, recordingQueue, signedRequest, SW_SECRET } from "./helpers";

const loaded = parseConfig(example);
if (!loaded.ok) throw new Error(loaded.problems.join("; "));
const schema = loaded.config.schemas.get("order.created.v2");

/** Bodies near the v2 schema (right and wrong field types, missing and extra fields) and any JSON at all. */
const nearOrder = fc.record(
  {
    type: fc.constantFrom("order.created.v2", "order.created.v1", 2, null),
    id: fc.oneof(fc.constant("ord_1"), fc.string({ maxLength: 12 }), fc.integer()),
    amount: fc.oneof(fc.record({ value: fc.oneof(fc.integer(), fc.double(), fc.string()), currency: fc.string({ maxLength: 4 }) }, { requiredKeys: [] }), fc.jsonValue()),
    customer: fc.oneof(fc.record({ id: fc.string({ maxLength: 6 }), email: fc.oneof(fc.emailAddress(), fc.string({ maxLength: 8 })) }), fc.jsonValue()),
    items: fc.oneof(
      fc.array(fc.record({ sku: fc.oneof(fc.string({ maxLength: 6 }), fc.integer()), quantity: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.string()) }), { maxLength: 30 }),
      fc.jsonValue(),
    ),
    extra: fc.jsonValue({ maxDepth: 3 }),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  { arbitrary: nearOrder.map((o) => JSON.stringify({ type: "order.created.v2", ...o })), weight: 4 },
  { arbitrary: fc.json({ maxDepth: 6 }), weight: 2 },
  { arbitrary: fc.string({ maxLength: 64 }), weight: 1 },
);

describe("random bodies against a route's schema", () => {
  it("answers 202 or 422 schema-violation, never a 5xx, and enqueues only what matches", async () => {
    const q = recordingQueue();
    const env = envWith(example, { DELIVERY_QUEUE: q.queue, SHOP_SECRET: SW_SECRET, ORDERS_SIGNING_SECRET: SW_SECRET });
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const res = await call(await signedRequest("/webhooks/shop", text, { headers: { "X-Event-Type": "order.created.v2" } }), env);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        const verdict = schema?.check(parsed);
        if (verdict?.valid === true) {
          expect(res.status).toBe(202);
          accepted += 1;
          return;
        }
        expect(res.status).toBe(422);
        const problem = (await res.json()) as { type: string; errors: { path: string; message: string }[] };
        expect(problem.type).toBe("https://hookgate.dev/problems/schema-violation");
        expect(problem.errors.length).toBeGreaterThanOrEqual(1);
        expect(problem.errors.length).toBeLessThanOrEqual(10);
        for (const e of problem.errors) expect(e).toEqual({ path: expect.stringMatching(/^(|\/.*)$/), message: expect.any(String) });
      }),
      { numRuns: 150 },
    );
    expect(q.sent).toHaveLength(accepted);
  }, 30_000);
});

// End to end, the fan-out ledger (docs/contract.md §5): 1,000 async events, each fanned out to three
// destinations of one rule, into a real consumer where one destination fails a reproducible 30 % of
// attempts. For every destination, every accepted event is delivered or dead-lettered (its own item),
// none is lost, none is delivered twice, and the healthy destinations never wait for the failing one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drawFor, startConsumer, type Consumer } from "../../tools/consumer/server";
import { startGateway, type Gateway } from "./harness/gateway";
import { sendEvent } from "./harness/producer";
import { mapLimit, waitFor } from "./harness/wait";

const SOURCE_SECRET = "whsec_ZmFub3V0LWxlZGdlci1zb3VyY2Utc2VjcmV0LWUyZQ==";
const EVENTS = 1_000;
const CONCURRENCY = 20;
const FAIL_RATE = 0.3;
const SEED = 20_261_130;
const MATRIX = [0, 1_000];
const MAX_ATTEMPTS = 1 + MATRIX.length;
const DESTINATIONS = ["billing", "analytics", "fraud"] as const;
const DRAIN_DEADLINE_MS = 180_000;
const TEST_TIMEOUT_MS = 240_000;

const keyOf = (i: number) => `fanout-${String(i).padStart(4, "0")}`;

interface DeadRow {
  id: string;
  message_id: string;
  endpoint: string;
  reason: string;
  attempts: number;
}

let consumer: Consumer;
let gateway: Gateway;

beforeAll(async () => {
  consumer = await startConsumer({ behaviour: { paths: { "/billing": { failRate: FAIL_RATE, seed: SEED, failStatus: 503 } } } });
  const noTrip = { failure_threshold: 1_000_000, recovery_timeout_ms: 1_000, half_open_max_probes: 1 };
  gateway = await startGateway({
    config: {
      allow_private_networks: true,
      sources: { acme: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"], tolerance_s: 300 }, event_type_field: "type" } },
      endpoints: Object.fromEntries(DESTINATIONS.map((d) => [d, { url: `${consumer.url}/${d}`, max_concurrency: 1_000, circuit_breaker: noTrip }])),
      routing_rules: [{ event_type: "invoice.*", mode: "async", retry_matrix: MATRIX, destinations: DESTINATIONS.map((endpoint) => ({ endpoint })) }],
    },
    secrets: { ACME_SECRET: SOURCE_SECRET },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await consumer?.close();
});

describe("fan-out ledger: 1,000 events to three destinations, one failing 30 % of attempts", () => {
  it(
    "delivers or dead-letters every accepted event at every destination, each once",
    async () => {
      const started = Date.now();
      const answers = await mapLimit(
        Array.from({ length: EVENTS }, (_, i) => i),
        CONCURRENCY,
        async (i) => {
          const key = keyOf(i);
          const answer = await sendEvent(gateway.url, "/webhooks/acme", JSON.stringify({ type: "invoice.paid", seq: i, key }), {
            secret: SOURCE_SECRET,
            headers: { "X-Idempotency-Key": key },
          });
          return { key, status: answer.status, id: typeof answer.body["id"] === "string" ? answer.body["id"] : null, destinations: answer.body["destinations"] };
        },
      );
      const sentMs = Date.now() - started;
      expect(answers.filter((a) => a.status !== 202)).toEqual([]);
      for (const a of answers) expect(a.destinations).toEqual([...DESTINATIONS]);
      const accepted = new Map(answers.flatMap((a) => (a.id === null ? [] : [[a.id, a.key] as const])));
      expect(accepted.size).toBe(EVENTS);

      const deliveredAt = (destination: string) =>
        consumer.requests.filter((r) => r.path === `/${destination}` && r.status >= 200 && r.status < 300).flatMap((r) => r.webhookId ?? []);
      const deadLogged = () => new Set(gateway.logs("dead_lettered").map((l) => `${String(l["message_id"])}.${String(l["endpoint"])}`));
      const open = () => {
        const dead = deadLogged();
        return DESTINATIONS.flatMap((d) => {
          const delivered = new Set(deliveredAt(d));
          return [...accepted.keys()].filter((id) => !delivered.has(id) && !dead.has(`${id}.${d}`)).map((id) => `${id}.${d}`);
        });
      };
      await waitFor(() => open().length === 0, { timeoutMs: DRAIN_DEADLINE_MS, intervalMs: 500, what: "every copy to be delivered or dead-lettered" }).catch((error: unknown) => {
        throw new Error(`${String(error)}; still open: ${open().length} (e.g. ${open().slice(0, 5).join(", ")})`);
      });
      const drainedMs = Date.now() - started;

      const loggedDead = deadLogged().size;
      let rows: DeadRow[] = [];
      await waitFor(
        async () => {
          rows = await gateway.d1<DeadRow>("SELECT id, message_id, endpoint, reason, attempts FROM dead_letters");
          return rows.length >= loggedDead;
        },
        { timeoutMs: 20_000, intervalMs: 500, what: "the D1 dead letters" },
      );

      const report: Record<string, unknown> = { accepted: accepted.size, send_ms: sentMs, drain_ms: drainedMs };
      for (const d of DESTINATIONS) {
        const deliveries = deliveredAt(d);
        const delivered = new Set(deliveries);
        const dead = rows.filter((r) => r.endpoint === d);
        // Every item of a fanned-out message has its own id and names the message.
        for (const row of dead) expect(row).toMatchObject({ id: `${row.message_id}.${d}`, reason: "exhausted", attempts: MAX_ATTEMPTS });
        const deadIds = new Set(dead.map((r) => r.message_id));
        expect([...accepted.keys()].filter((id) => !delivered.has(id) && !deadIds.has(id))).toEqual([]); // none lost
        expect([...deadIds].filter((id) => delivered.has(id))).toEqual([]); // never both
        expect(deliveries.length - delivered.size).toBe(0); // none delivered twice
        const attempts = consumer.requests.filter((r) => r.path === `/${d}`).map((r) => r.attempt ?? 0);
        expect(Math.max(...attempts)).toBeLessThanOrEqual(MAX_ATTEMPTS);
        report[d] = { delivered: delivered.size, dead_lettered: dead.length, requests: attempts.length };
      }
      // The healthy destinations got every event at the first attempt; the failing one's dead set is predictable.
      for (const d of ["analytics", "fraud"]) expect(report[d]).toEqual({ delivered: EVENTS, dead_lettered: 0, requests: EVENTS });
      const predictedDead = [...accepted].filter(([, key]) => [1, 2, 3].every((n) => drawFor(SEED, key, n) < FAIL_RATE)).map(([id]) => id);
      expect(new Set(rows.map((r) => r.message_id))).toEqual(new Set(predictedDead));
      console.log(`fan-out ledger: ${JSON.stringify(report)}`);
    },
    TEST_TIMEOUT_MS,
  );
});

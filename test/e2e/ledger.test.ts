// End to end, the delivery ledger: 1,000 async events into a consumer that fails a reproducible 30 %
// of attempts and always fails 20 chosen events. Nothing accepted is lost: every event is delivered
// or dead-lettered in D1, no attempt goes past the route's limit, and the always-failing ones are dead.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drawFor, startConsumer, type Consumer } from "../../tools/consumer/server";
import { startGateway, type Gateway } from "./harness/gateway";
import { sendEvent } from "./harness/producer";
import { mapLimit, waitFor } from "./harness/wait";

const SOURCE_SECRET = "whsec_bGVkZ2VyLXNvdXJjZS1zZWNyZXQtZm9yLWUyZQ==";
const EVENTS = 1_000;
const CONCURRENCY = 20;
const FAIL_RATE = 0.3;
const SEED = 20_261_128;
const MATRIX = [0, 1_000];
const MAX_ATTEMPTS = 1 + MATRIX.length;
const DRAIN_DEADLINE_MS = 150_000;
/** Sending (~15 s here) plus the drain deadline plus the D1 read. */
const TEST_TIMEOUT_MS = 200_000;

const keyOf = (i: number) => `ledger-${String(i).padStart(4, "0")}`;
/** 20 keys spread over the run whose every attempt fails. */
const ALWAYS_FAIL = new Set(Array.from({ length: 20 }, (_, n) => keyOf(n * 50 + 7)));

interface DeadRow {
  id: string;
  reason: string;
  attempts: number;
  last_status: number | null;
  idempotency_key: string | null;
}

let consumer: Consumer;
let gateway: Gateway;

beforeAll(async () => {
  consumer = await startConsumer({ behaviour: { failRate: FAIL_RATE, seed: SEED, failStatus: 503, alwaysFailKeys: ALWAYS_FAIL } });
  gateway = await startGateway({
    config: {
      allow_private_networks: true,
      sources: { acme: { verify: { scheme: "standard-webhooks", secrets: ["ACME_SECRET"], tolerance_s: 300 }, event_type_field: "type" } },
      endpoints: {
        ledger: {
          url: `${consumer.url}/ledger`,
          max_concurrency: 1_000,
          // The ledger is about attempts and dead letters; an open breaker would only stretch the run.
          circuit_breaker: { failure_threshold: 1_000_000, recovery_timeout_ms: 1_000, half_open_max_probes: 1 },
        },
      },
      routing_rules: [{ event_type: "ledger.*", mode: "async", endpoint: "ledger", retry_matrix: MATRIX }],
    },
    secrets: { ACME_SECRET: SOURCE_SECRET },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await consumer?.close();
});

function histogram(values: Iterable<number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}

describe("delivery ledger under random and permanent failures", () => {
  it(
    "delivers or dead-letters every accepted event, within the attempt limit",
    async () => {
      const started = Date.now();
      const answers = await mapLimit(
        Array.from({ length: EVENTS }, (_, i) => i),
        CONCURRENCY,
        async (i) => {
          const key = keyOf(i);
          const answer = await sendEvent(gateway.url, "/webhooks/acme", JSON.stringify({ type: "ledger.entry", seq: i, key }), {
            secret: SOURCE_SECRET,
            headers: { "X-Idempotency-Key": key },
          });
          return { key, status: answer.status, id: typeof answer.body["id"] === "string" ? answer.body["id"] : null };
        },
      );
      const sentMs = Date.now() - started;
      const accepted = new Map<string, string>(); // message id -> key
      for (const a of answers) if (a.status === 202 && a.id !== null) accepted.set(a.id, a.key);
      const refused = histogram(answers.filter((a) => a.status !== 202).map((a) => a.status));
      expect(refused).toEqual({});
      expect(accepted.size).toBe(EVENTS);

      const delivered = () => new Set(consumer.requests.filter((r) => r.status >= 200 && r.status < 300).flatMap((r) => r.webhookId ?? []));
      const deadFromLogs = () => new Set(gateway.logs("dead_lettered").map((l) => String(l["message_id"])));
      const missing = () => {
        const d = delivered();
        const dl = deadFromLogs();
        return [...accepted.keys()].filter((id) => !d.has(id) && !dl.has(id));
      };
      await waitFor(() => missing().length === 0, {
        timeoutMs: DRAIN_DEADLINE_MS,
        intervalMs: 250,
        what: "every accepted event to be delivered or dead-lettered",
      }).catch((error: unknown) => {
        throw new Error(`${String(error)}; still open: ${missing().length} (e.g. ${missing().slice(0, 5).join(", ")})`);
      });
      const drainedMs = Date.now() - started;

      // The D1 rows are written before the log line; read them once the logs say everything is settled.
      const logged = deadFromLogs();
      let rows: DeadRow[] = [];
      await waitFor(
        async () => {
          rows = await gateway.d1<DeadRow>("SELECT id, reason, attempts, last_status, idempotency_key FROM dead_letters");
          return rows.length >= logged.size;
        },
        { timeoutMs: 20_000, intervalMs: 500, what: "the D1 dead letters" },
      );
      const dead = new Map(rows.map((r) => [r.id, r]));
      const deliveredIds = delivered();

      // accepted ⊆ delivered ∪ dead-lettered (in D1), and never both.
      const lost = [...accepted.keys()].filter((id) => !deliveredIds.has(id) && !dead.has(id));
      expect(lost).toEqual([]);
      expect([...dead.keys()].filter((id) => deliveredIds.has(id))).toEqual([]);
      expect([...dead.keys()].filter((id) => !accepted.has(id))).toEqual([]);

      // No attempt above the limit, neither at the consumer nor in D1; every dead letter here is exhausted.
      const attempts = consumer.requests.map((r) => r.attempt ?? 0);
      expect(Math.max(...attempts)).toBeLessThanOrEqual(MAX_ATTEMPTS);
      expect(Math.min(...attempts)).toBeGreaterThanOrEqual(1);
      for (const row of dead.values()) expect(row).toMatchObject({ reason: "exhausted", attempts: MAX_ATTEMPTS, last_status: 503 });

      // The always-failing events are all dead-lettered, after exactly MAX_ATTEMPTS tries each.
      const alwaysFailIds = [...accepted].filter(([, key]) => ALWAYS_FAIL.has(key)).map(([id]) => id);
      expect(alwaysFailIds).toHaveLength(ALWAYS_FAIL.size);
      for (const id of alwaysFailIds) {
        expect(dead.get(id)?.reason).toBe("exhausted");
        expect(
          consumer
            .byId(id)
            .map((r) => r.attempt)
            .sort(),
        ).toEqual([1, 2, 3]);
      }

      // The consumer's draws are a pure function of (seed, key, attempt): the dead set is predictable.
      const predictedDead = [...accepted].filter(([, key]) => ALWAYS_FAIL.has(key) || [1, 2, 3].every((n) => drawFor(SEED, key, n) < FAIL_RATE));
      const perEvent = new Map<string, number>();
      for (const r of consumer.requests) if (r.webhookId !== null) perEvent.set(r.webhookId, (perEvent.get(r.webhookId) ?? 0) + 1);
      const deliveredOnce = consumer.requests.filter((r) => r.status >= 200 && r.status < 300);
      const duplicates = deliveredOnce.length - deliveredIds.size;
      const report = {
        accepted: accepted.size,
        delivered: deliveredIds.size,
        dead_lettered: dead.size,
        predicted_dead_lettered: predictedDead.length,
        duplicates_delivered: duplicates,
        requests_at_consumer: consumer.requests.length,
        attempts_per_event: histogram(perEvent.values()),
        x_retry_attempt: histogram(attempts),
        send_ms: sentMs,
        drain_ms: drainedMs,
      };
      console.log(`ledger: ${JSON.stringify(report)}`);
      expect(deliveredIds.size + dead.size).toBe(EVENTS);
      expect(new Set(predictedDead.map(([id]) => id))).toEqual(new Set(dead.keys()));
    },
    TEST_TIMEOUT_MS,
  );
});

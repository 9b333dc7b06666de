// Consumer side of send-first dedup (docs/dedup.md): before a batch is delivered, the messages that
// still carry their owner check ask their key's shard, one call per shard, whether the key is their
// owner's. Duplicates' copies are dropped (acked), messages whose key a claim-first request holds wait,
// and when the check cannot be made the messages are retried: nothing is delivered unchecked.
import { parseEnvelope, type Envelope } from "../core/envelope";
import type { Ports } from "../ports";
import { errorMessage, log } from "../log";

/** How long a message waits when the check could not be made. */
const CHECK_FAILED_RETRY_S = 5;

type OwnerCheckPorts = Pick<Ports, "idempotency" | "payloads" | "background">;

/** A message to deliver, with its envelope when the check already parsed it (owner check removed). */
export interface Checked {
  message: Message<unknown>;
  envelope?: Envelope;
}

/** The batch's messages to deliver: those without an owner check, and those whose key is their owner's. */
export async function checkedMessages(messages: readonly Message<unknown>[], ports: OwnerCheckPorts, queue: string): Promise<Checked[]> {
  const toCheck: { message: Message<unknown>; envelope: Envelope & { dedup: NonNullable<Envelope["dedup"]> } }[] = [];
  const pass: Checked[] = [];
  for (const message of messages) {
    const body = message.body;
    const parsed = typeof body === "object" && body !== null && "dedup" in body ? parseEnvelope(body) : null;
    // Malformed envelopes go on to the delivery handler, which keeps them in D1.
    if (parsed === null || !parsed.ok || parsed.envelope.dedup === undefined) pass.push({ message });
    else toCheck.push({ message, envelope: { ...parsed.envelope, dedup: parsed.envelope.dedup } });
  }
  if (toCheck.length === 0) return pass;
  let verdicts;
  try {
    verdicts = await ports.idempotency.checkOwners(
      toCheck.map(({ envelope: { id, dedup } }) => ({
        keyHash: dedup.key_hash,
        key: dedup.key,
        bodyHash: dedup.body_hash,
        owner: id,
        answer: dedup.answer,
        windowMs: dedup.window_ms,
      })),
    );
  } catch (error) {
    log("error", "consumer_error", { queue, owner_checks: toCheck.length, error: errorMessage(error) });
    for (const { message } of toCheck) message.retry({ delaySeconds: CHECK_FAILED_RETRY_S });
    return pass;
  }
  toCheck.forEach(({ message, envelope }, i) => {
    const verdict = verdicts[i] ?? { kind: "wait", retryMs: CHECK_FAILED_RETRY_S * 1000 };
    switch (verdict.kind) {
      case "deliver":
        pass.push({ message, envelope: withoutOwnerCheck(envelope) });
        return;
      case "wait":
        message.retry({ delaySeconds: Math.max(1, Math.ceil(verdict.retryMs / 1000)) });
        return;
      case "drop":
        log("info", "duplicate_dropped", { trace_id: envelope.trace_id, message_id: envelope.id, route: envelope.route, endpoint: envelope.endpoint, owner: verdict.owner });
        if (envelope.body.kind === "r2") ports.background.waitUntil(ports.payloads.release(envelope.body.key, envelope.endpoint).catch(() => undefined));
        message.ack();
        return;
    }
  });
  return pass;
}

/** The envelope as delivery goes on with it: its owner was checked (retries and replays skip the check). */
export function withoutOwnerCheck(envelope: Envelope): Envelope {
  if (envelope.dedup === undefined) return envelope;
  const rest = { ...envelope };
  delete rest.dedup;
  return rest;
}

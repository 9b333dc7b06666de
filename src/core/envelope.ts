// The versioned queue message (`v: 1`): everything a delivery attempt needs, with the body inline
// when small and as an R2 reference (claim check) when large. The gateway's own attempt count lives here.
import * as z from "./zod";

/** Bodies up to this size travel inline; larger ones go to R2 (a queue message holds 128 KB serialized). */
export const INLINE_BODY_LIMIT = 64 * 1024;
/** Forwarded header bytes kept inline; above this the envelope would risk the queue's message limit. */
export const MAX_FORWARDED_HEADER_BYTES = 16 * 1024;

export const FALLBACK_REASONS = ["timeout", "upstream_error", "circuit_open", "shed", "paused", "quarantined"] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

const bodyRef = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("inline"), bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: "must be bytes" }) }),
  z.object({ kind: z.literal("r2"), key: z.string().check(z.minLength(1)), size: z.number().check(z.int(), z.nonnegative()) }),
]);
export type BodyRef = z.infer<typeof bodyRef>;

/**
 * An async accept sent before its claim (docs/dedup.md): the dedup key (and its hash, which picks the
 * shard), the body hash, the window, and the 202 to store if the consumer takes the key for this
 * message. Present only until the consumer's first look has checked the owner.
 */
const ownerCheck = z.object({
  key: z.string().check(z.minLength(1)),
  key_hash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  body_hash: z.string(),
  window_ms: z.number().check(z.int(), z.positive()),
  answer: z.object({
    status: z.number().check(z.int()),
    headers: z.record(z.string(), z.string()),
    body: z.string(),
    body_encoding: z.enum(["utf8", "base64"]),
  }),
});
export type OwnerCheckField = z.infer<typeof ownerCheck>;

export const envelopeSchema = z.object({
  v: z.literal(1),
  id: z.string().check(z.minLength(1)),
  trace_id: z.string().check(z.regex(/^[0-9a-f]{32}$/)),
  parent_span_id: z.string().check(z.regex(/^[0-9a-f]{16}$/)),
  source: z.string(),
  event_type: z.string(),
  route: z.string(),
  endpoint: z.string(),
  queue: z.string(),
  idempotency_key: z.nullable(z.string()),
  content_type: z.nullable(z.string()),
  headers: z.array(z.tuple([z.string(), z.string()])),
  body: bodyRef,
  received_at: z.number(),
  /** Attempts already made (0 before the first). */
  attempt: z.number().check(z.int(), z.nonnegative()),
  /** `jitter: false` only from a rule's `retry_policy` (§8); absent in v1 envelopes, meaning jittered. */
  policy: z.object({ matrix: z.array(z.number().check(z.int(), z.nonnegative())), max_attempts: z.number().check(z.int(), z.positive()), jitter: z.optional(z.boolean()) }),
  last_status: z.nullable(z.number().check(z.int())),
  last_error: z.nullable(z.string()),
  fallback: z.nullable(z.enum(FALLBACK_REASONS)),
  replay_count: z.number().check(z.int(), z.nonnegative()),
  ordering: z.nullable(z.object({ key: z.string(), sequence: z.number().check(z.int(), z.positive()) })),
  /** The rule has several destinations: each copy's dead letter gets its own id (absent on v1 envelopes). */
  fanout: z.optional(z.boolean()),
  dedup: z.optional(ownerCheck),
});
export type Envelope = z.infer<typeof envelopeSchema>;

export type EnvelopeParse = { ok: true; envelope: Envelope } | { ok: false; problem: string };

export function parseEnvelope(value: unknown): EnvelopeParse {
  const parsed = envelopeSchema.safeParse(value);
  if (parsed.success) return { ok: true, envelope: parsed.data };
  const first = parsed.error.issues[0];
  return { ok: false, problem: first ? `${first.path.join(".")}: ${first.message}` : "invalid envelope" };
}

/**
 * The id of an envelope's dead letter (docs/contract.md §5): the message id when its rule has one
 * destination (as in v1), else `<message id>.<endpoint>` (a message id never contains a dot).
 */
export function deadLetterId(envelope: Pick<Envelope, "id" | "endpoint" | "fanout">): string {
  return envelope.fanout === true ? `${envelope.id}.${envelope.endpoint}` : envelope.id;
}

/** The R2 key of a large body: one object per message id. */
export function payloadKey(messageId: string): string {
  return `payloads/${messageId}`;
}

/** Rough serialized size, to decide inline vs claim check. */
export function headerBytes(headers: readonly (readonly [string, string])[]): number {
  let n = 0;
  for (const [k, v] of headers) n += k.length + v.length + 8;
  return n;
}

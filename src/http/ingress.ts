// POST /webhooks/{source}[/{event_type}]: the edge checks of docs/contract.md §2 in order, then dedup and
// dispatch to the async or sync use case. Each failure maps to exactly one problem.
import type { Context } from "hono";
import type { Source } from "../config/load";
import { checkTransport, type TransportFacts } from "../core/transport";
import { matchRule, readDotPath, resolveEventType } from "../core/routing";
import { matches, type FilterSubject } from "../core/filter";
import { selectTargets } from "../delivery/destinations";
import { findIdempotencyKey, type KeyResult } from "../core/idempotency";
import { messageId } from "../core/ids";
import { sha256Hex } from "../core/signatures";
import type { Problem } from "../core/problems";
import { readBodyLimited } from "./body";
import { problem } from "./problem";
import { handshakeResponse, verifyRequest } from "./verify-request";
import { schemaProblem } from "./schema-check";
import { registrationAnswer } from "./registration";
import type { AppEnv } from "./context";
import type { AcceptedEvent } from "../delivery/event";
import { dispatchOnce, type DedupKeys } from "../delivery/dispatch";
import { toResponse } from "../delivery/answer";

export async function ingress(c: Context<AppEnv>): Promise<Response> {
  const registration = registrationAnswer(c);
  if (registration !== null) return registration;
  if (c.req.method !== "POST") return problem(c, { kind: "method-not-allowed" });
  const config = c.get("config");
  const ports = c.env.ports;
  const trace = c.get("trace");
  const runtime = ports.clock;
  const sourceName = c.req.param("source") ?? "";
  const source = config.sources.get(sourceName);
  const fields = c.get("requestLog");
  fields.source = sourceName.slice(0, 64);
  const fail = (p: Problem, reason?: string): Response => {
    fields.outcome = "rejected";
    fields.problem = p.kind;
    fields.reason = reason;
    return problem(c, p);
  };
  if (source === undefined) return fail({ kind: "unknown-source" });

  const transport = checkTransport(c.req.raw.cf as TransportFacts | undefined, {
    minTlsVersion: source.min_tls_version,
    requireClientCertificate: source.require_client_certificate,
  });
  if (!transport.ok) return fail({ kind: "transport-rejected", detail: transport.detail });

  const read = await readBodyLimited(c.req.raw, config.maxBodyBytes);
  if (read.kind === "bad_length") return fail({ kind: "bad-request", detail: read.detail });
  if (read.kind === "too_large") return fail({ kind: "payload-too-large", limit: config.maxBodyBytes });
  const body = read.bytes;
  fields.bytes = body.byteLength;
  const headers = c.req.raw.headers;
  const receivedAt = runtime.now();

  const verdict = await verifyRequest(ports.secrets, source, c.req.raw, body, receivedAt);
  if (!verdict.ok) return fail({ kind: "invalid-signature" }, verdict.reason);
  if (verdict.handshake !== undefined) return handshakeResponse(verdict.handshake, fields);

  if (source.rate_limit !== undefined) {
    const rate = await ports.rateLimiter.take(source.name, { requests: source.rate_limit.requests, periodS: source.rate_limit.period_s }, receivedAt);
    if (!rate.ok) return fail({ kind: "rate-limited", retryAfterS: rate.retryAfterS }, "source rate limit");
  }

  let parsedJson: { value: unknown } | undefined;
  const json = (): unknown => {
    if (parsedJson === undefined) {
      try {
        parsedJson = { value: JSON.parse(new TextDecoder().decode(body)) };
      } catch {
        parsedJson = { value: undefined };
      }
    }
    return parsedJson.value;
  };

  const eventType = resolveEventType({
    fromPath: c.req.param("event_type"),
    fromHeader: headers.get(source.eventTypeHeader) ?? undefined,
    json,
    field: source.eventTypeField,
  });
  if (eventType === undefined) return fail({ kind: "unknown-event-type" });
  // Filters see the body parsed once (shared with the event-type lookup); a non-JSON body has no body.* fields.
  const subject: FilterSubject = { eventType, source: source.name, header: (name) => headers.get(name), json };
  const ruleIndex = matchRule(config.rules, source.name, eventType, (r) => r.filter !== null && matches(r.filter, subject));
  const rule = config.rules[ruleIndex];
  if (rule === undefined) return fail({ kind: "unroutable-event", eventType });
  const targets = selectTargets(config, rule, subject);
  if (targets === undefined) return fail({ kind: "internal" }, "endpoint missing after validation");
  const endpoint = targets.primary;
  Object.assign(fields, { event_type: eventType, route: rule.name, endpoint: endpoint.name, mode: rule.mode, destinations: targets.copies.length });
  const violation = schemaProblem(config, rule, json, ports.guard, fields);
  if (violation !== null) return fail(violation, "schema");

  if (rule.max_backlog !== undefined || rule.shed_when_open) {
    // Every destination that will get traffic from this event must have room for it.
    const guarded = rule.mode === "sync" ? [endpoint, ...targets.copies] : targets.copies;
    const opts = { maxBacklog: rule.max_backlog, shedWhenOpen: rule.shed_when_open };
    const pressures = await Promise.all(guarded.map((e) => ports.guard.backpressure(e, rule.name, opts)));
    const pressure = pressures.find((p) => !p.ok);
    if (pressure !== undefined && !pressure.ok) return fail({ kind: "rate-limited", retryAfterS: pressure.retryAfterS, detail: pressure.detail }, "backpressure");
  }

  const key = findIdempotencyKey({ headers, idempotencyHeader: source.idempotency_header, scheme: source.verify.scheme, json });
  if (key.kind === "invalid") return fail({ kind: "bad-request", detail: `${key.header} must be 1-255 visible ASCII characters.` });
  if (rule.mode === "sync" && key.kind === "none") return fail({ kind: "idempotency-key-required" });

  let ordering: AcceptedEvent["ordering"] = null;
  if (rule.ordering_key !== undefined) {
    const [where, path] = splitOrderingKey(rule.ordering_key);
    const value = where === "header" ? headers.get(path)?.trim() : readDotPath(json(), path);
    if (value === undefined || value === "" || value.length > 256) return fail({ kind: "ordering-key-missing", orderingKey: rule.ordering_key });
    ordering = { key: value };
  }

  const event: AcceptedEvent = {
    messageId: messageId(receivedAt, runtime.randomBytes(10)),
    trace,
    source,
    eventType,
    rule,
    endpoint,
    copies: targets.copies,
    filteredOut: targets.filteredOut,
    idempotencyKey: key.kind === "key" ? key.key : null,
    contentType: headers.get("Content-Type"),
    headers,
    body,
    receivedAt,
    ordering,
  };
  const dedup = await dedupKeys(source, key, verdict.signatureDigest, () => verdict.bodySha256 ?? sha256Hex(body));
  fields.message_id = event.messageId;
  const outcome = await dispatchOnce(ports, config, event, dedup);
  if (outcome.kind === "problem") return fail(outcome.problem, outcome.reason);
  const answer = outcome.answer;
  fields.outcome = outcome.replay ? "duplicate" : answer.headers["X-Fallback"] !== undefined ? "fallback" : rule.mode === "async" ? "queued" : "answered";
  if (outcome.replay) fields.message_id = answer.headers["X-Message-Id"];
  return toResponse(answer, outcome.replay ? { "X-Idempotent-Replay": "true" } : {});
}

function splitOrderingKey(spec: string): ["body" | "header", string] {
  return spec.startsWith("header:") ? ["header", spec.slice("header:".length)] : ["body", spec.slice("body:".length)];
}

/**
 * Dedup keys of a request. A key inside the signed content (a delivery id the scheme signs, such as
 * Standard Webhooks' webhook-id or Stripe's event id in the body) cannot change without a new
 * signature; any other key can, so the accepted signature is aliased to it and a replay under a
 * fresh key is still a duplicate.
 */
async function dedupKeys(source: Source, key: KeyResult, signatureDigest: string, bodyHash: () => string | Promise<string>): Promise<DedupKeys | null> {
  const signature = signatureDigest === "" ? null : `${source.name}:s:${signatureDigest}`;
  if (key.kind !== "key") return signature === null ? null : { key: signature, bodyHash: await bodyHash(), alias: null };
  return { key: `${source.name}:k:${key.key}`, bodyHash: await bodyHash(), alias: key.signed ? null : signature };
}

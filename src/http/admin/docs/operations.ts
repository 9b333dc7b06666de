// Each admin operation's documentation, keyed by operationId: its tag, summary, description and answers.
// The routes (../*.ts) declare what runs (method, path, scope, validators); only the OpenAPI generator
// reads this, so none of it ships in the Worker. test/unit/openapi-asset.test.ts keeps the two in step.
import type * as z from "../../../core/zod";
import {
  AttemptPageSchema,
  AuditPageSchema,
  BulkReplayResultSchema,
  DeadLetterDetailSchema,
  DeadLetterPageSchema,
  EffectiveConfigSchema,
  EndpointDetailSchema,
  EndpointResetSchema,
  EventSchema,
  EventSchemasResponseSchema,
  FallbackPageSchema,
  OpenApiDocumentSchema,
  ReplayQueuedSchema,
  SilenceListSchema,
  SilenceSchema,
  StatsResponseSchema,
} from "./schemas";

export interface ResponseDoc {
  description: string;
  /** JSON body of a success; omitted for empty bodies (204). */
  schema?: z.ZodMiniType;
  /** An application/problem+json answer. */
  problem?: true;
}

export interface OperationDoc {
  tag: string;
  summary: string;
  description?: string;
  /** Every answer but the 403 below the route's scope, which the generator adds. */
  responses: Record<number, ResponseDoc>;
}

const unauthorized = { description: "Missing or wrong bearer token", problem: true } as const;
const noEndpoint = { description: "No such endpoint", problem: true } as const;
const noDeadLetter = { description: "No dead letter with this id", problem: true } as const;
const invalidQuery = { description: "Invalid query", problem: true } as const;
const invalidDlq = { description: "Invalid query, path or body", problem: true } as const;
const endpointView = { 200: { description: "The endpoint's view", schema: EndpointDetailSchema }, 401: unauthorized, 404: noEndpoint };

export const operationDocs: Record<string, OperationDoc> = {
  getRoutes: {
    tag: "routes",
    summary: "The effective configuration with each endpoint's breaker state",
    description: "Secrets appear as binding names with whether each is set, never as values; endpoint URLs lose userinfo and query.",
    responses: { 200: { description: "Effective configuration", schema: EffectiveConfigSchema }, 401: unauthorized },
  },
  getEndpoint: {
    tag: "routes",
    summary: "One endpoint: breaker state, in-flight calls, last hour's success rate and latency, recent transitions",
    responses: { 200: { description: "Endpoint state", schema: EndpointDetailSchema }, 401: unauthorized, 404: noEndpoint },
  },
  resetEndpoint: {
    tag: "routes",
    summary: "Close the endpoint's circuit breaker",
    responses: { 200: { description: "The breaker after the reset", schema: EndpointResetSchema }, 401: unauthorized, 404: noEndpoint },
  },
  pauseEndpoint: {
    tag: "routes",
    summary: "Pause the endpoint: nothing reaches it; async events wait, sync calls fall back or get 503",
    responses: endpointView,
  },
  resumeEndpoint: { tag: "routes", summary: "Lift a pause or a quarantine", responses: endpointView },
  listAttempts: {
    tag: "routes",
    summary: "The endpoint's most recent attempts (at least the last 500), newest first, with the first 1 KiB of each answer",
    responses: { 200: { description: "A page of attempts", schema: AttemptPageSchema }, 400: invalidQuery, 401: unauthorized, 404: noEndpoint },
  },
  getEvent: {
    tag: "routes",
    summary: "What the gateway knows of one event: source, type, route, and per destination its state and attempts",
    responses: { 200: { description: "The event", schema: EventSchema }, 401: unauthorized, 404: { description: "Nothing is known of this id", problem: true } },
  },
  listDeadLetters: {
    tag: "dead letters",
    summary: "Dead letters, newest first, by filter, one page at a time",
    responses: { 200: { description: "A page of dead letters", schema: DeadLetterPageSchema }, 400: invalidDlq, 401: unauthorized },
  },
  getDeadLetter: {
    tag: "dead letters",
    summary: "One dead letter with its forwarded headers and body",
    responses: { 200: { description: "The dead letter", schema: DeadLetterDetailSchema }, 401: unauthorized, 404: noDeadLetter },
  },
  replayDeadLetter: {
    tag: "dead letters",
    summary: "Deliver a dead letter again through the async path, with the same message id",
    responses: {
      202: { description: "Queued for delivery", schema: ReplayQueuedSchema },
      401: unauthorized,
      404: noDeadLetter,
      409: { description: "Already being replayed or replayed, or not replayable", problem: true },
      503: { description: "Could not be handed to delivery; retry", problem: true },
    },
  },
  replayDeadLetters: {
    tag: "dead letters",
    summary: "Replay the dead letters matching a filter (at most `limit`, newest first)",
    description: "Each dead letter is claimed by a compare-and-swap on its status, so concurrent bulk replays never replay one twice.",
    responses: { 200: { description: "How many were handed to delivery", schema: BulkReplayResultSchema }, 400: invalidDlq, 401: unauthorized },
  },
  deleteDeadLetter: {
    tag: "dead letters",
    summary: "Remove a dead letter (and its stored body)",
    responses: { 204: { description: "Deleted" }, 401: unauthorized, 404: noDeadLetter, 409: { description: "Being replayed right now", problem: true } },
  },
  getStats: {
    tag: "stats",
    summary: "Per endpoint and route, last hour: delivered, failed, dead-lettered, success rate, p50/p95 latency",
    description: "Delivery counts come from each endpoint's guard object (no D1 on the delivery path); dlq_size is the count of dead letters waiting.",
    responses: { 200: { description: "Stats", schema: StatsResponseSchema }, 401: unauthorized },
  },
  listFallbacks: {
    tag: "stats",
    summary: "Sync calls answered by the async fallback, newest first, with each one's state (?state=unreconciled|waiting|delivered|dead_lettered)",
    responses: { 200: { description: "A page of fallbacks", schema: FallbackPageSchema }, 400: invalidQuery, 401: unauthorized },
  },
  addSilence: {
    tag: "alerts",
    summary: "Silence the alerts of some endpoints (or all) until a time",
    responses: { 201: { description: "The silence", schema: SilenceSchema }, 400: { description: "Invalid body", problem: true }, 401: unauthorized },
  },
  listSilences: {
    tag: "alerts",
    summary: "The active silences, newest first",
    responses: { 200: { description: "Active silences", schema: SilenceListSchema }, 401: unauthorized },
  },
  endSilence: {
    tag: "alerts",
    summary: "End a silence now",
    responses: { 204: { description: "Ended" }, 401: unauthorized, 404: { description: "No active silence with this id", problem: true } },
  },
  listEventSchemas: {
    tag: "routes",
    summary: "Event schemas (JSON Schema 2020-12) and the routing rules that validate against each",
    description: "Events a rule takes must match its schema, else 422 schema-violation; violations per route are in GET /admin/stats.",
    responses: { 200: { description: "Schemas", schema: EventSchemasResponseSchema }, 401: unauthorized },
  },
  listAuditEntries: {
    tag: "audit",
    summary: "Who changed what: state-changing admin and console actions, newest first",
    responses: {
      200: { description: "A page of audit entries", schema: AuditPageSchema },
      400: invalidQuery,
      401: { description: "Missing or wrong credentials", problem: true },
    },
  },
  getOpenApiDocument: {
    tag: "meta",
    summary: "This document (OpenAPI 3.1)",
    responses: {
      200: { description: "The OpenAPI document", schema: OpenApiDocumentSchema },
      401: unauthorized,
      503: { description: "The deploy lacks the generated document (wrangler.toml [assets])", problem: true },
    },
  },
};

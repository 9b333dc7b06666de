// Durable Object for exact per-source rate limits (issue 7). Declared now so the binding and its
// SQLite migration exist from the first deploy.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export class SourceRateLimiter extends DurableObject<Env> {}

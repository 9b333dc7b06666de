// Durable Object for per-key ordered delivery (issue 5). Declared now so the binding and its SQLite
// migration exist from the first deploy; it holds no state until ordered routes are enabled.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export class OrderedStream extends DurableObject<Env> {}

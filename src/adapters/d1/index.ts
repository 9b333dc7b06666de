// The Cloudflare storage of one invocation: D1 for dead letters, fallbacks and alerts, R2 for payloads.
// The entry points build it once (scheduled, queue consumer, admin and console requests).
import type { Stores } from "../../ports/storage";
import { r2PayloadStore } from "../payload-store";
import { d1AlertStore } from "./alerts";
import { d1DeadLetterStore } from "./dead-letters";
import { d1FallbackStore } from "./fallbacks";
import { d1SilenceStore } from "./silences";

export { d1AlertStore, d1DeadLetterStore, d1FallbackStore, d1SilenceStore };

export function cloudflareStores(bindings: { DB: D1Database; PAYLOADS: R2Bucket }): Stores {
  return {
    deadLetters: d1DeadLetterStore(bindings.DB),
    fallbacks: d1FallbackStore(bindings.DB),
    alerts: d1AlertStore(bindings.DB),
    payloads: r2PayloadStore(bindings.PAYLOADS, bindings.DB),
  };
}
export { d1AuditStore } from "./audit";

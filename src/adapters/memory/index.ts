// In-memory storage for tests and local tools: the same ports and semantics as the Cloudflare stores
// (adapters/d1), held in this isolate only.
import type { Stores } from "../../ports/storage";
import { memoryAlertStore } from "./alerts";
import { memoryDeadLetterStore } from "./dead-letters";
import { memoryFallbackStore } from "./fallbacks";
import { memoryPayloadStore } from "./payloads";
import { memorySilenceStore } from "./silences";

export { memoryAlertStore, memoryDeadLetterStore, memoryFallbackStore, memoryPayloadStore, memorySilenceStore };

export function memoryStores(): Stores {
  return { deadLetters: memoryDeadLetterStore(), fallbacks: memoryFallbackStore(), alerts: memoryAlertStore(), payloads: memoryPayloadStore() };
}
export { memoryAuditStore } from "./audit";

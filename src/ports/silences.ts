// Run-time silences (POST/GET/DELETE /admin/silences, contract §8), stored durably. Backends:
// adapters/d1/silences.ts, adapters/memory/silences.ts; test/runtime/storage-conformance.test.ts.
import type { EndpointScope } from "../core/maintenance";

export interface Silence {
  id: string;
  endpoints: EndpointScope;
  /** Epoch ms; the silence is active while now < until. */
  until: number;
  reason: string | null;
  created_at: number;
}

export interface SilenceStore {
  /** Stores a new silence (ids are unique; a second add of one id changes nothing). */
  add(silence: Silence): Promise<void>;
  /** The silences active at `now` (not ended, until > now), newest first. */
  listActive(now: number): Promise<Silence[]>;
  /** Ends an active silence at `now`; false when no active silence has that id. */
  end(id: string, now: number): Promise<boolean>;
}

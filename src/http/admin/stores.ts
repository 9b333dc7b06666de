// The storage of one admin or console request, built from its bindings: the one place http/ names a
// storage adapter, until the fetch entry hands in a ports object.
import type { Env } from "../../env";
import { cloudflareStores } from "../../adapters/d1";
import type { Stores } from "../../ports/storage";

export function storesOf(env: Env): Stores {
  return cloudflareStores(env);
}

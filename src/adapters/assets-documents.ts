// The documents port over the Workers static assets binding (wrangler.toml [assets], run_worker_first):
// the file is read through the binding only after the admin route's own checks.
import type { Documents } from "../ports/documents";

/** Where `npm run openapi` writes the document, relative to the assets directory. */
export const OPENAPI_ASSET_PATH = "/admin/openapi.json";

export function assetDocuments(assets: Fetcher | undefined): Documents {
  return {
    async openApi() {
      if (assets === undefined) return null;
      const res = await assets.fetch(new Request(`https://assets.invalid${OPENAPI_ASSET_PATH}`));
      if (res.status !== 200) {
        await res.body?.cancel();
        return null;
      }
      return res.text();
    },
  };
}

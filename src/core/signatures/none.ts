// `none`: no verification, only where the config says so explicitly. Every request is accepted,
// with an empty digest (no replay tracking by signature).
import { defineScheme } from "./types";

export const none = defineScheme({
  name: "none",
  verify: () => Promise.resolve({ ok: true, signatureDigest: "" }),
  secretFormat: "none",
  signatureHeaders: [],
  sign: () => Promise.resolve({}),
});

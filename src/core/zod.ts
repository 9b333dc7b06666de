// zod/mini (Zod 4's tree-shakable functional API; classic zod's methods keep every schema type in the
// bundle), with the English messages classic zod installs on import, so errors read the same.
// eslint-disable-next-line no-restricted-imports -- the one place that imports zod itself
import { config } from "zod/mini";
// eslint-disable-next-line no-restricted-imports -- the English locale only
import { en } from "zod/locales";

config(en());

// eslint-disable-next-line no-restricted-imports -- re-exported for the rest of src/
export * from "zod/mini";

// Lint rules: typescript-eslint's recommended type-aware set, plus the house rules of STYLE.md; layout is
// Prettier's (eslint-config-prettier, last, turns off any rule that would fight it).
import js from "@eslint/js";
import prettier from "eslint-config-prettier/flat";
import tseslint from "typescript-eslint";

// `import { z } from "zod"` (and libraries that do it, like @hono/zod-openapi) bundles every zod
// locale: ~450 KB minified. `import * as z from "zod"` tree-shakes to ~85 KB.
const BUNDLE_GUARDS = [
  { name: "@hono/zod-openapi", message: "Pulls in all of zod (+370 KB); build OpenAPI with zod's toJSONSchema instead." },
  // Classic zod's methods keep every schema type and string format in the bundle (+9 KiB gzip).
  { name: "zod", message: 'Use `import * as z from "<src>/core/zod"` (zod/mini with English messages).' },
  { name: "zod/mini", message: 'Use `import * as z from "<src>/core/zod"`: it installs the English messages.' },
  { name: "zod/locales", message: "Every locale; core/zod.ts imports the English one only." },
];

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", ".wrangler/", "worker-configuration.d.ts", "test-results/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["src/**/*.ts", "src/**/*.tsx"],
    rules: {
      "no-restricted-imports": ["error", { paths: BUNDLE_GUARDS }],
      "no-restricted-syntax": [
        "error",
        {
          selector: "ImportDeclaration[source.value='zod'] ImportSpecifier[imported.name='z']",
          message: 'Use `import * as z from "zod"`: the `z` export bundles every zod locale (+370 KB).',
        },
      ],
    },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: BUNDLE_GUARDS, patterns: ["cloudflare:*", "hono", "hono/*", "../adapters/*", "../delivery/*", "../http/*", "../objects/*"] }],
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "core/ is pure: take `now` as an argument" },
        { object: "Math", property: "random", message: "core/ is pure: take `random` as an argument" },
      ],
      "no-restricted-globals": ["error", { name: "fetch", message: "core/ is pure: no I/O" }],
    },
  },
  prettier,
);

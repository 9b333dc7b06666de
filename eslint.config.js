// Lint rules: typescript-eslint's recommended type-aware set, plus the house rules of STYLE.md.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["cloudflare:*", "hono", "hono/*", "../adapters/*", "../delivery/*", "../http/*", "../objects/*"] }],
      "no-restricted-properties": ["error",
        { object: "Date", property: "now", message: "core/ is pure: take `now` as an argument" },
        { object: "Math", property: "random", message: "core/ is pure: take `random` as an argument" }],
      "no-restricted-globals": ["error", { name: "fetch", message: "core/ is pure: no I/O" }],
    },
  },
);

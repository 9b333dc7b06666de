// Three test projects: `unit` (pure core, plain Node), `runtime` (adapters, routes, objects inside
// workerd via @cloudflare/vitest-plugin), `e2e` (the real gateway under wrangler dev + a real consumer).
import path from "node:path";
import { defineConfig } from "vitest/config";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    test: {
      projects: [
        {
          test: {
            name: "unit",
            include: ["test/unit/**/*.test.ts"],
            environment: "node",
          },
        },
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                // GATEWAY_CONFIG is empty on purpose, overriding a local .dev.vars from `npm start`: each
                // test passes its own config, and messages a test leaves in the real queue then wait
                // (config invalid) instead of being delivered into another test's fetch spy.
                bindings: { TEST_MIGRATIONS: migrations, ADMIN_TOKEN: "test-admin-token", GATEWAY_CONFIG: "" },
              },
            }),
          ],
          test: {
            name: "runtime",
            include: ["test/runtime/**/*.test.ts"],
            setupFiles: ["test/runtime/setup.ts"],
          },
        },
        {
          test: {
            name: "e2e",
            include: ["test/e2e/**/*.test.ts"],
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 120_000,
            fileParallelism: false,
          },
        },
      ],
    },
  };
});

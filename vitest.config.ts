// Three test projects: `unit` (pure core, plain Node), `runtime` (adapters, routes, objects inside
// workerd via @cloudflare/vitest-plugin), `e2e` (the real gateway under wrangler dev + a real consumer).
// A passing run prints no log lines: each setup file keeps a test's logs for its failure report
// (test/log-capture.ts). `TEST_LOGS=all` prints every line live; `WORKERD_VERBOSE=1` adds workerd's own warnings.
import path from "node:path";
import { defineConfig } from "vitest/config";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";

const provide = { testLogs: process.env.TEST_LOGS ?? "" };

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
            setupFiles: ["test/unit/setup.ts"],
            provide,
          },
        },
        {
          plugins: [
            cloudflareTest({
              // workerd's own warnings (a few hundred lines of "header value contains non-ASCII characters"
              // from the property tests' hostile headers) only on request.
              verbose: process.env.WORKERD_VERBOSE === "1",
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
            // A loaded 2-core CI machine runs these next to workerd: a bound, not a speed target.
            testTimeout: 30_000,
            include: ["test/runtime/**/*.test.ts"],
            setupFiles: ["test/runtime/setup.ts"],
            provide,
          },
        },
        {
          test: {
            name: "e2e",
            include: ["test/e2e/**/*.test.ts"],
            environment: "node",
            setupFiles: ["test/e2e/setup.ts"],
            provide,
            testTimeout: 120_000,
            hookTimeout: 120_000,
            fileParallelism: false,
          },
        },
      ],
    },
  };
});

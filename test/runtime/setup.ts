// Applies the D1 migrations before the runtime tests of each file (storage is per test file), and keeps
// each test's log lines and console output for its failure report only.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { quietLogsPerTest } from "../log-capture";

const testEnv = env as unknown as { DB: D1Database; TEST_MIGRATIONS: Parameters<typeof applyD1Migrations>[1] };
await applyD1Migrations(testEnv.DB, testEnv.TEST_MIGRATIONS);
quietLogsPerTest();

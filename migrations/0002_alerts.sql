-- Alert de-duplication (src/delivery/alerts.ts): one row per alert condition, so each condition
-- fires at most once per hour across isolates and overlapping scheduled runs.
CREATE TABLE IF NOT EXISTS alerts (
  key           TEXT PRIMARY KEY,              -- dlq_threshold:<route> | breaker_open:<endpoint>
  kind          TEXT NOT NULL,                 -- dlq_threshold | breaker_open
  last_fired_at INTEGER NOT NULL,              -- ms since epoch of the last firing (claimed by compare-and-swap)
  fire_count    INTEGER NOT NULL DEFAULT 1,
  detail        TEXT                           -- last alert's summary line (no secrets, no URLs)
);

-- Issue 17 (contract §8 and reconciliation): alerts waiting to be grouped into one notification per
-- tier, run-time silences, and each sync-to-async fallback's final state.

-- Alerts claimed but not yet notified: the cron sends one notification per tier per alert_group_window_s.
CREATE TABLE IF NOT EXISTS alert_pending (
  id      TEXT PRIMARY KEY,                    -- alert key + firing time (one row per firing)
  tier    TEXT NOT NULL,                       -- the endpoint's tier, "default" without one
  payload TEXT NOT NULL,                       -- the alert as JSON (no secrets, no URLs)
  at      INTEGER NOT NULL                     -- ms since epoch the alert was raised
);
CREATE INDEX IF NOT EXISTS alert_pending_tier ON alert_pending (tier, at);

-- Silences added at run time (POST /admin/silences): alerts of those endpoints are suppressed until `until`.
CREATE TABLE IF NOT EXISTS silences (
  id         TEXT PRIMARY KEY,
  endpoints  TEXT NOT NULL,                    -- JSON list of endpoint names, or "*"
  until      INTEGER NOT NULL,                 -- ms since epoch
  reason     TEXT,
  created_at INTEGER NOT NULL,
  ended_at   INTEGER                           -- set by DELETE /admin/silences/{id}
);
CREATE INDEX IF NOT EXISTS silences_until ON silences (until);

-- Each fallback tracked to its final state (reconciliation).
ALTER TABLE fallbacks ADD COLUMN state TEXT NOT NULL DEFAULT 'waiting';  -- waiting | delivered | dead_lettered
ALTER TABLE fallbacks ADD COLUMN settled_at INTEGER;                      -- when it reached delivered / dead_lettered
ALTER TABLE fallbacks ADD COLUMN flagged_at INTEGER;                      -- when the cron flagged it unreconciled
ALTER TABLE fallbacks ADD COLUMN replays INTEGER NOT NULL DEFAULT 0;      -- replays asked for by the consumer's reconcile_url (at most 3)
ALTER TABLE fallbacks ADD COLUMN reconciled_at INTEGER;                   -- the reconcile slot (ms) that last handled it: a rerun of that slot skips it
ALTER TABLE fallbacks ADD COLUMN confirmed_at INTEGER;                    -- when the consumer's reconcile_url said it has the event
CREATE INDEX IF NOT EXISTS fallbacks_state ON fallbacks (state, at);

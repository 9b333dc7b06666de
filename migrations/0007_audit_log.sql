-- The admin audit log (src/ports/audit.ts): every state-changing admin API or console action, with
-- who did it. Purged by the scheduled handler after dlq_retention_hours, like dead letters.
CREATE TABLE IF NOT EXISTS audit_log (
  id        TEXT PRIMARY KEY,                 -- random, URL-safe
  at        INTEGER NOT NULL,                 -- ms since epoch
  actor     TEXT NOT NULL,                    -- ADMIN_TOKEN | a scoped token's name | an Access email
  actor_via TEXT NOT NULL,                    -- token | access
  channel   TEXT NOT NULL,                    -- api | console
  action    TEXT NOT NULL,                    -- dead_letter.replay | dead_letter.bulk_replay | ...
  target    TEXT,                             -- dead letter id, endpoint name; NULL for bulk actions
  params    TEXT NOT NULL,                    -- JSON object: the action's parameters
  result    TEXT NOT NULL,                    -- ok | queued | not_found | conflict | failed | ...
  count     INTEGER,                          -- items changed by a bulk action
  trace_id  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX IF NOT EXISTS audit_log_actor ON audit_log (actor, at DESC);
CREATE INDEX IF NOT EXISTS audit_log_action ON audit_log (action, at DESC);

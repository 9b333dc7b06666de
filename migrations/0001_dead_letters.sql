-- Dead-letter store (docs/storage.md). One row per message id; writes are idempotent upserts.
CREATE TABLE IF NOT EXISTS dead_letters (
  id              TEXT PRIMARY KEY,            -- message id (msg_...)
  source          TEXT NOT NULL,
  event_type      TEXT NOT NULL,
  route           TEXT NOT NULL,               -- rule name: event_type pattern, or source:pattern
  endpoint        TEXT NOT NULL,
  queue           TEXT NOT NULL,               -- producer binding used for replays
  reason          TEXT NOT NULL,               -- exhausted | rejected | gone | blocked_url | malformed
  attempts        INTEGER NOT NULL,
  last_status     INTEGER,
  last_error      TEXT,
  trace_id        TEXT NOT NULL,
  idempotency_key TEXT,
  content_type    TEXT,
  headers         TEXT NOT NULL DEFAULT '[]',  -- JSON [[name, value], ...] forwarded with the event
  body            BLOB,                        -- inline body (up to 64 KiB)
  body_ref        TEXT,                        -- R2 key (claim check) when the body is larger
  body_size       INTEGER NOT NULL DEFAULT 0,
  policy          TEXT NOT NULL,               -- JSON {matrix, max_attempts} the event was delivered with
  ordering_key    TEXT,
  sequence        INTEGER,
  created_at      INTEGER NOT NULL,            -- ms since epoch: when the gateway accepted the event
  failed_at       INTEGER NOT NULL,            -- ms since epoch: when it was dead-lettered (last time)
  status          TEXT NOT NULL DEFAULT 'dead',-- dead | replaying | replayed
  replay_count    INTEGER NOT NULL DEFAULT 0,
  replayed_at     INTEGER
);
CREATE INDEX IF NOT EXISTS dead_letters_list ON dead_letters (status, failed_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS dead_letters_endpoint ON dead_letters (endpoint, status, failed_at DESC);
CREATE INDEX IF NOT EXISTS dead_letters_source ON dead_letters (source, event_type, status, failed_at DESC);
CREATE INDEX IF NOT EXISTS dead_letters_route ON dead_letters (route, status);
CREATE INDEX IF NOT EXISTS dead_letters_failed_at ON dead_letters (failed_at);

-- Every sync-to-async fallback, for reconciliation against the consumer's own records.
CREATE TABLE IF NOT EXISTS fallbacks (
  id         TEXT PRIMARY KEY,                 -- message id
  trace_id   TEXT NOT NULL,
  source     TEXT NOT NULL,
  event_type TEXT NOT NULL,
  route      TEXT NOT NULL,
  endpoint   TEXT NOT NULL,
  reason     TEXT NOT NULL,                    -- timeout | upstream_error | circuit_open | shed
  at         INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS fallbacks_at ON fallbacks (at DESC, id DESC);

-- Fan-out (docs/contract.md §5): a dead letter is kept per (message, destination endpoint). `id` is the
-- message id for a rule with one destination (as in v1), `<message id>.<endpoint>` otherwise;
-- `message_id` names the message either way.
ALTER TABLE dead_letters ADD COLUMN message_id TEXT;
UPDATE dead_letters SET message_id = id WHERE message_id IS NULL;
CREATE INDEX IF NOT EXISTS dead_letters_message ON dead_letters (message_id);

-- A claim-checked body (R2) shared by the copies of a fanned-out event: one row per destination that
-- still needs it (in flight, or kept by its dead letter). The object is deleted with the last row.
CREATE TABLE IF NOT EXISTS payload_shares (
  key    TEXT NOT NULL,                        -- R2 key (payloads/<message id>)
  holder TEXT NOT NULL,                        -- destination endpoint
  PRIMARY KEY (key, holder)
);

-- Fan-out (docs/contract.md §5): a dead letter is kept per (message, destination endpoint). `id` is the
-- message id for a rule with one destination (as in v1), `<message id>.<endpoint>` otherwise;
-- `message_id` names the message either way.
ALTER TABLE dead_letters ADD COLUMN message_id TEXT;
UPDATE dead_letters SET message_id = id WHERE message_id IS NULL;
CREATE INDEX IF NOT EXISTS dead_letters_message ON dead_letters (message_id);

-- When a dead letter was claimed for replay (ms since epoch). A Worker that died between the claim
-- and recording the replay leaves the row `replaying`; the cron gives such claims back after 10 min.
ALTER TABLE dead_letters ADD COLUMN claimed_at INTEGER;

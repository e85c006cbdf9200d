-- Transactional messages (no campaign) are claimed ahead of bulk ones on the same domain: this index finds a
-- domain's due transactional rows without walking its bulk backlog.
CREATE INDEX spool_ready_transactional ON spool (domain, next_attempt_at) WHERE state IN (2, 4) AND campaign_id IS NULL;

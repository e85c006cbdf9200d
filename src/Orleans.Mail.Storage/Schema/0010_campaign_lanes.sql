-- Campaigns sharing a destination are served by weight, each from its own lane: this index finds one
-- campaign's due rows on a domain, and which campaigns have rows waiting there (one probe per campaign).
CREATE INDEX spool_ready_campaign ON spool (domain, campaign_id, next_attempt_at) WHERE state IN (2, 4) AND campaign_id IS NOT NULL;

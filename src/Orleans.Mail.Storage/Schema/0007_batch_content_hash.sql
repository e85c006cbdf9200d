-- A fingerprint of each committed AddRecipients batch (SHA-256 of its accepted rows), so that re-sending
-- a batch number with different content is refused instead of silently dropping the new rows.
ALTER TABLE campaign_batch ADD COLUMN content_hash bytea;

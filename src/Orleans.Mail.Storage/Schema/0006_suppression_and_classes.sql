-- Suppression lists and the outcome class of every attempt. Recipient-level bounces put the address on
-- its tenant's list; suppressed recipients are never sent to again (state 8) until removed.

CREATE TABLE suppression (
    tenant       text        NOT NULL,
    address_key  text        NOT NULL,   -- lower-case address
    address      text        NOT NULL,   -- as first seen
    reason       text        NOT NULL,   -- the reply or the operator's note
    class        text        NOT NULL,   -- e.g. invalid-recipient, or 'manual'
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant, address_key)
);

-- The class of the last attempt (for counts per class) and of each logged attempt.
ALTER TABLE spool ADD COLUMN last_class text;
ALTER TABLE delivery_attempt ADD COLUMN class text NOT NULL DEFAULT 'other';
ALTER TABLE delivery_attempt ADD COLUMN remote_ip text;
ALTER TABLE delivery_attempt ADD COLUMN tls boolean NOT NULL DEFAULT false;

-- Set when the connection was lost after the final dot with no reply: the receiver may have the
-- message, so the resend (same Message-ID) may be a duplicate. Counted, never cleared.
ALTER TABLE spool ADD COLUMN possible_duplicate boolean NOT NULL DEFAULT false;

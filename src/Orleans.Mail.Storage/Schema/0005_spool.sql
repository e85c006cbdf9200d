-- The message spool, the campaign batch ledger and the delivery log: everything about mail that must
-- survive a process dying. One spool row per envelope recipient; its state numbers are
-- Orleans.Mail.MessageState (1 draft, 2 queued, 3 in flight, 4 deferred, 5 delivered, 6 bounced,
-- 7 expired, 8 suppressed, 9 cancelled).

-- Content of transactional messages; campaign content lives in the campaign grain's state.
CREATE TABLE mail_message (
    id          uuid PRIMARY KEY,
    tenant      text        NOT NULL,
    content     jsonb       NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE spool (
    id               uuid PRIMARY KEY,           -- version-7 uuid: time-ordered
    message_id       uuid        NOT NULL,       -- = id for campaign messages; mail_message.id otherwise
    tenant           text        NOT NULL,
    campaign_id      uuid,                       -- null for transactional messages
    recipient        text        NOT NULL,       -- envelope recipient as given
    recipient_key    text        NOT NULL,       -- lower-case, for duplicate checks
    domain           text        NOT NULL,       -- lower-case A-label domain of the recipient
    variables        jsonb,
    state            smallint    NOT NULL,
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    lease_until      timestamptz,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    last_reply       text
);

-- A recipient appears once per campaign, compared case-insensitively.
CREATE UNIQUE INDEX spool_campaign_recipient ON spool (campaign_id, recipient_key) WHERE campaign_id IS NOT NULL;
-- The ready queue: due work per domain. Partial, so delivered rows cost the queue nothing.
CREATE INDEX spool_ready ON spool (domain, next_attempt_at) WHERE state IN (2, 4);
-- Leases to sweep after a worker's silo died.
CREATE INDEX spool_leased ON spool (lease_until) WHERE state = 3;
-- Progress counters and listings per campaign.
CREATE INDEX spool_campaign_state ON spool (campaign_id, state, id);
CREATE INDEX spool_message ON spool (message_id);

-- One row per committed AddRecipients batch: re-sending a committed batch number is a no-op.
CREATE TABLE campaign_batch (
    campaign_id   uuid    NOT NULL,
    batch_number  bigint  NOT NULL,
    accepted      integer NOT NULL,
    duplicates    integer[] NOT NULL,
    committed_at  timestamptz NOT NULL,
    PRIMARY KEY (campaign_id, batch_number)
);

-- Every delivery attempt, for GetMessage and for operators.
CREATE TABLE delivery_attempt (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    spool_id      uuid        NOT NULL,
    attempted_at  timestamptz NOT NULL,
    mx_host       text        NOT NULL,
    smtp_code     integer     NOT NULL,
    reply         text        NOT NULL,
    action        text        NOT NULL
);
CREATE INDEX delivery_attempt_spool ON delivery_attempt (spool_id, id);

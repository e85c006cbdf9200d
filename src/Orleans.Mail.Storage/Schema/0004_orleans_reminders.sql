-- 0004: durable reminders for Orleans.Reminders.AdoNet (IReminderTable).
--
-- One row per (service, grain, reminder name). The provider addresses rows by the grain id as text and
-- also stores the grain's uniform hash: each silo's reminder service owns a range of the hash ring and
-- loads the reminders whose hash falls into it. Hashes are unsigned 32-bit numbers that the provider
-- passes as signed integers; a ring range (@BeginHash, @EndHash] that does not wrap around in signed order
-- uses ReadRangeRows1Key, one that wraps uses ReadRangeRows2Key.
--
-- version is the reminder's ETag: every upsert increments it, and a removal must name the current one.
-- The period is kept in milliseconds.

CREATE TABLE orleans_reminder
(
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    grain_hash    integer     NOT NULL,
    start_time    timestamptz NOT NULL,
    period_ms     bigint      NOT NULL,
    version       integer     NOT NULL,
    CONSTRAINT orleans_reminder_pk PRIMARY KEY (service_id, grain_id, reminder_name),
    CONSTRAINT orleans_reminder_period_not_negative CHECK (period_ms >= 0)
);

-- Range reads by the reminder services.
CREATE INDEX orleans_reminder_by_hash ON orleans_reminder (service_id, grain_hash);

INSERT INTO orleansquery (querykey, querytext) VALUES
(
    'ReadReminderRowsKey',
    'SELECT grain_id      AS "GrainId",
            reminder_name AS "ReminderName",
            start_time    AS "StartTime",
            period_ms     AS "Period",
            version       AS "Version"
       FROM orleans_reminder
      WHERE service_id = @ServiceId
        AND grain_id = @GrainId'
),
(
    'ReadReminderRowKey',
    'SELECT grain_id      AS "GrainId",
            reminder_name AS "ReminderName",
            start_time    AS "StartTime",
            period_ms     AS "Period",
            version       AS "Version"
       FROM orleans_reminder
      WHERE service_id = @ServiceId
        AND grain_id = @GrainId
        AND reminder_name = @ReminderName'
),
(
    -- Range (@BeginHash, @EndHash] with @BeginHash < @EndHash as signed integers.
    'ReadRangeRows1Key',
    'SELECT grain_id      AS "GrainId",
            reminder_name AS "ReminderName",
            start_time    AS "StartTime",
            period_ms     AS "Period",
            version       AS "Version"
       FROM orleans_reminder
      WHERE service_id = @ServiceId
        AND grain_hash > @BeginHash
        AND grain_hash <= @EndHash'
),
(
    -- Range that wraps around: above @BeginHash up to the top, and from the bottom up to @EndHash.
    -- With @BeginHash = @EndHash this is the whole ring.
    'ReadRangeRows2Key',
    'SELECT grain_id      AS "GrainId",
            reminder_name AS "ReminderName",
            start_time    AS "StartTime",
            period_ms     AS "Period",
            version       AS "Version"
       FROM orleans_reminder
      WHERE service_id = @ServiceId
        AND (grain_hash > @BeginHash OR grain_hash <= @EndHash)'
),
(
    -- Creates the reminder at version 1 or replaces its schedule and increments the version; answers the
    -- new version (the reminder's new ETag).
    'UpsertReminderRowKey',
    'INSERT INTO orleans_reminder AS r
         (service_id, grain_id, reminder_name, grain_hash, start_time, period_ms, version)
     VALUES
         (@ServiceId, @GrainId, @ReminderName, @GrainHash, @StartTime, @Period, 1)
     ON CONFLICT ON CONSTRAINT orleans_reminder_pk DO UPDATE
        SET grain_hash = excluded.grain_hash,
            start_time = excluded.start_time,
            period_ms = excluded.period_ms,
            version = r.version + 1
     RETURNING r.version AS "Version"'
),
(
    -- Removes the reminder only if its version is still @Version; answers whether a row went.
    'DeleteReminderRowKey',
    'WITH removed AS (
         DELETE FROM orleans_reminder
          WHERE service_id = @ServiceId
            AND grain_id = @GrainId
            AND reminder_name = @ReminderName
            AND version = @Version
         RETURNING 1)
     SELECT EXISTS (SELECT 1 FROM removed)'
),
(
    -- Every reminder of the service (Orleans calls it only from tests).
    'DeleteReminderRowsKey',
    'DELETE FROM orleans_reminder
      WHERE service_id = @ServiceId'
);

-- Reminders for Orleans' ADO.NET reminder table (UseAdoNetReminderService, Invariant "Npgsql").
--
-- The provider binds @ServiceId, @GrainId (GrainId.ToString()), @ReminderName, @StartTime (UTC), @Period
-- (milliseconds; int, or bigint past int.MaxValue), @GrainHash (the grain's uniform hash as a signed int),
-- @BeginHash/@EndHash (a ring range, as signed ints) and @Version (the ETag as int). It reads GrainId,
-- ReminderName, StartTime, Period (as Int64) and Version by name.

CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

CREATE TABLE IF NOT EXISTS orleans_reminders (
    service_id    text        NOT NULL,
    grain_id      text        NOT NULL,
    reminder_name text        NOT NULL,
    start_time    timestamptz NOT NULL,
    period_ms     bigint      NOT NULL,
    grain_hash    integer     NOT NULL,
    -- The ETag: 0 on first insert, +1 on every upsert, so a remove with a stale ETag does nothing.
    version       integer     NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
);

-- Each silo's reminder service loads the reminders whose grain hash falls in its part of the ring.
CREATE INDEX IF NOT EXISTS orleans_reminders_by_hash ON orleans_reminders (service_id, grain_hash);

-- Range reads: the provider picks ReadRangeRows1Key when BeginHash < EndHash compared as signed ints (the range
-- (begin, end] does not wrap in signed order) and ReadRangeRows2Key when it wraps; the hashes are stored signed
-- too, so both queries compare in the same order.
-- DeleteReminderRowKey returns one boolean row (the provider reads a single column), so the DELETE sits in a CTE.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('UpsertReminderRowKey', $query$
    INSERT INTO orleans_reminders AS r (service_id, grain_id, reminder_name, start_time, period_ms, grain_hash, version)
    VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
    ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE
    SET start_time = excluded.start_time, period_ms = excluded.period_ms, grain_hash = excluded.grain_hash,
        version = r.version + 1
    RETURNING r.version AS "Version";
$query$),
('ReadReminderRowsKey', $query$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
           period_ms AS "Period", version AS "Version"
    FROM orleans_reminders
    WHERE service_id = @ServiceId AND grain_id = @GrainId;
$query$),
('ReadReminderRowKey', $query$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
           period_ms AS "Period", version AS "Version"
    FROM orleans_reminders
    WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName;
$query$),
('ReadRangeRows1Key', $query$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
           period_ms AS "Period", version AS "Version"
    FROM orleans_reminders
    WHERE service_id = @ServiceId AND grain_hash > @BeginHash AND grain_hash <= @EndHash;
$query$),
('ReadRangeRows2Key', $query$
    SELECT grain_id AS "GrainId", reminder_name AS "ReminderName", start_time AS "StartTime",
           period_ms AS "Period", version AS "Version"
    FROM orleans_reminders
    WHERE service_id = @ServiceId AND (grain_hash > @BeginHash OR grain_hash <= @EndHash);
$query$),
('DeleteReminderRowKey', $query$
    WITH deleted AS (
        DELETE FROM orleans_reminders
        WHERE service_id = @ServiceId AND grain_id = @GrainId AND reminder_name = @ReminderName
          AND version = @Version
        RETURNING 1)
    SELECT count(*) > 0 FROM deleted;
$query$),
('DeleteReminderRowsKey', $query$
    DELETE FROM orleans_reminders WHERE service_id = @ServiceId;
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

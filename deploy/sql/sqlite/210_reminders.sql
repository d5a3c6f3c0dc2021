-- Orleans reminders on SQLite (src/Persistence/Reminders/SqliteReminderTable.cs): Orleans ships no SQLite
-- reminder provider. Self-contained and idempotent. One row per (service, grain, reminder name).

CREATE TABLE IF NOT EXISTS reminder_entry (
    service_id      TEXT    NOT NULL,
    grain_id        TEXT    NOT NULL,
    reminder_name   TEXT    NOT NULL,
    -- GrainId.GetUniformHashCode() as an unsigned 32-bit value (0 to 4294967295), so the silos' ring
    -- ranges are plain integer comparisons.
    grain_hash      INTEGER NOT NULL CHECK (grain_hash BETWEEN 0 AND 4294967295),
    -- UTC ticks (100 ns): they round-trip a DateTime and a TimeSpan exactly.
    start_at_ticks  INTEGER NOT NULL,
    period_ticks    INTEGER NOT NULL,
    -- A fresh random value on every upsert, so an ETag from before a delete never matches a re-created row.
    etag            TEXT    NOT NULL,
    PRIMARY KEY (service_id, grain_id, reminder_name)
) WITHOUT ROWID;

-- Every silo reads the reminders of its hash range on start and on each refresh.
CREATE INDEX IF NOT EXISTS reminder_entry_by_hash ON reminder_entry (service_id, grain_hash);

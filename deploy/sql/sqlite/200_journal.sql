-- FleaMarket journals (src/Persistence/Journals): append-only event streams, e.g. the orders of a listing.
-- Self-contained and idempotent: safe to apply again by the migrator or by hand with the sqlite3 shell.
-- service_id separates services sharing one file; a stream is (journal_name, stream_id).

-- One row per stream holding its length: an append is a compare-and-swap on this row, never a count,
-- so its cost does not grow with the stream.
CREATE TABLE IF NOT EXISTS journal_stream (
    service_id   TEXT    NOT NULL,
    journal_name TEXT    NOT NULL,
    stream_id    TEXT    NOT NULL,
    length       INTEGER NOT NULL CHECK (length >= 0),
    PRIMARY KEY (service_id, journal_name, stream_id)
) WITHOUT ROWID;

-- The events, 1-based positions; the key makes a duplicate position impossible. payload is the event as
-- System.Text.Json wrote it (JSON text), readable with the sqlite3 shell.
CREATE TABLE IF NOT EXISTS journal_entry (
    service_id   TEXT    NOT NULL,
    journal_name TEXT    NOT NULL,
    stream_id    TEXT    NOT NULL,
    position     INTEGER NOT NULL CHECK (position > 0),
    payload      TEXT    NOT NULL,
    PRIMARY KEY (service_id, journal_name, stream_id, position)
) WITHOUT ROWID;

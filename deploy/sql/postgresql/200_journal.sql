-- FleaMarket journals (src/Persistence/Journals): append-only event streams, e.g. the orders of a listing.
-- Self-contained and idempotent: safe to apply again by the migrator or by hand with psql.
-- service_id separates services sharing one database; a stream is (journal_name, stream_id).

-- One row per stream holding its length: an append is a compare-and-swap on this row, never a count,
-- so its cost does not grow with the stream.
CREATE TABLE IF NOT EXISTS journal_stream (
    service_id   text   NOT NULL,
    journal_name text   NOT NULL,
    stream_id    text   NOT NULL,
    length       bigint NOT NULL CHECK (length >= 0),
    PRIMARY KEY (service_id, journal_name, stream_id)
);

-- The events, 1-based positions; the key makes a duplicate position impossible. payload is the event as
-- System.Text.Json wrote it (UTF-8 bytes, kept exactly): read it with convert_from(payload, 'UTF8')::json.
CREATE TABLE IF NOT EXISTS journal_entry (
    service_id   text   NOT NULL,
    journal_name text   NOT NULL,
    stream_id    text   NOT NULL,
    position     bigint NOT NULL CHECK (position > 0),
    payload      bytea  NOT NULL,
    PRIMARY KEY (service_id, journal_name, stream_id, position)
);

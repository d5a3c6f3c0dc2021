-- FleaMarket journal tags (src/Persistence/Journals): labels an append puts on its stream in the same transaction,
-- so the streams of one journal that concern something can be found without reading them, e.g. the listings a
-- buyer has orders on (tag = the buyer's user id on journal 'orders'). A set: a tag is stored once per stream.
-- Self-contained and idempotent: safe to apply again by the migrator or by hand with the sqlite3 shell.
CREATE TABLE IF NOT EXISTS journal_tag (
    service_id   TEXT NOT NULL,
    journal_name TEXT NOT NULL,
    tag          TEXT NOT NULL,
    stream_id    TEXT NOT NULL,
    PRIMARY KEY (service_id, journal_name, tag, stream_id)
) WITHOUT ROWID;

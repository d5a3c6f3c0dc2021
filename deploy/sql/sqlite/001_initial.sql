-- FleaMarket SQLite schema, version 1: grain state, journals, reminders.
-- Applied once per database file inside a transaction that also records it in schema_migrations.
-- Every table is partitioned by service_id so several deployments can share one file.

-- One row per (service, state name, grain). version is the ETag. A cleared record stays as a
-- tombstone (payload NULL) keeping its version, so a re-created record continues the sequence and
-- an ETag handed out before the clear can never match again (no ABA).
CREATE TABLE IF NOT EXISTS grain_state (
    service_id  TEXT    NOT NULL,
    state_name  TEXT    NOT NULL,
    grain_type  TEXT    NOT NULL,
    grain_key   TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    payload     TEXT    NULL,
    PRIMARY KEY (service_id, state_name, grain_type, grain_key)
) WITHOUT ROWID;

-- The head of each journal: its length. An append is a compare-and-swap on this one row, so its
-- cost does not depend on how many events the journal holds.
CREATE TABLE IF NOT EXISTS journal_heads (
    service_id  TEXT    NOT NULL,
    journal     TEXT    NOT NULL,
    grain_type  TEXT    NOT NULL,
    grain_key   TEXT    NOT NULL,
    length      INTEGER NOT NULL,
    PRIMARY KEY (service_id, journal, grain_type, grain_key)
) WITHOUT ROWID;

-- Append-only events, 1-based positions; the key makes a duplicate position impossible.
CREATE TABLE IF NOT EXISTS journal_events (
    service_id  TEXT    NOT NULL,
    journal     TEXT    NOT NULL,
    grain_type  TEXT    NOT NULL,
    grain_key   TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    payload     TEXT    NOT NULL,
    PRIMARY KEY (service_id, journal, grain_type, grain_key, position)
) WITHOUT ROWID;

-- The latest snapshot of each journal: the state after its first `position` events.
CREATE TABLE IF NOT EXISTS journal_snapshots (
    service_id  TEXT    NOT NULL,
    journal     TEXT    NOT NULL,
    grain_type  TEXT    NOT NULL,
    grain_key   TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    payload     TEXT    NOT NULL,
    PRIMARY KEY (service_id, journal, grain_type, grain_key)
) WITHOUT ROWID;

-- Durable reminders. Times are UTC ticks (100 ns) so they round-trip exactly. last_claimed_ticks is the
-- latest due time a silo claimed for firing: a conditional update on it lets exactly one silo fire a tick
-- while ownership of the grain moves. Re-registering resets it to NULL.
CREATE TABLE IF NOT EXISTS reminders (
    service_id      TEXT    NOT NULL,
    grain_type      TEXT    NOT NULL,
    grain_key       TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    first_due_ticks INTEGER NOT NULL,
    period_ticks    INTEGER NOT NULL,
    last_claimed_ticks INTEGER NULL,
    PRIMARY KEY (service_id, grain_type, grain_key, name)
) WITHOUT ROWID;

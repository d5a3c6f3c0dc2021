-- FleaMarket runtime schema, version 1. Applied by PostgreSqlSchemaMigrator in one transaction under an
-- advisory lock; safe to apply by hand with psql as well (every statement is IF NOT EXISTS).
-- Several services (service_id) and clusters (cluster_id) may share one database.

-- Membership: one version row per cluster; every status or vote change bumps it by exactly one (CAS).
CREATE TABLE IF NOT EXISTS membership_version (
    cluster_id text   NOT NULL PRIMARY KEY,
    version    bigint NOT NULL CHECK (version > 0)
);

CREATE TABLE IF NOT EXISTS membership (
    cluster_id      text        NOT NULL,
    host            text        NOT NULL,
    port            integer     NOT NULL,
    generation      bigint      NOT NULL,
    status          smallint    NOT NULL,
    silo_name       text        NOT NULL,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    -- [{"voter":"host:port@generation","time":"ISO-8601"}], oldest first.
    suspects        jsonb       NOT NULL DEFAULT '[]',
    PRIMARY KEY (cluster_id, host, port, generation)
);

-- Grain state: System.Text.Json UTF-8 bytes; version is the ETag. A cleared record stays as a tombstone
-- (payload NULL) so its version keeps growing and an ETag from before the clear can never match again.
CREATE TABLE IF NOT EXISTS grain_state (
    service_id  text        NOT NULL,
    grain_type  text        NOT NULL,
    grain_key   text        NOT NULL,
    state_name  text        NOT NULL,
    version     bigint      NOT NULL,
    payload     bytea       NULL,
    modified_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, grain_type, grain_key, state_name)
);

-- Journals: the head row holds the length, so an append is a CAS on one row, never a count.
CREATE TABLE IF NOT EXISTS journal_head (
    service_id   text   NOT NULL,
    journal_name text   NOT NULL,
    grain_type   text   NOT NULL,
    grain_key    text   NOT NULL,
    length       bigint NOT NULL CHECK (length >= 0),
    PRIMARY KEY (service_id, journal_name, grain_type, grain_key)
);

CREATE TABLE IF NOT EXISTS journal_event (
    service_id   text   NOT NULL,
    journal_name text   NOT NULL,
    grain_type   text   NOT NULL,
    grain_key    text   NOT NULL,
    position     bigint NOT NULL CHECK (position > 0),
    payload      bytea  NOT NULL,
    PRIMARY KEY (service_id, journal_name, grain_type, grain_key, position)
);

CREATE TABLE IF NOT EXISTS journal_snapshot (
    service_id   text   NOT NULL,
    journal_name text   NOT NULL,
    grain_type   text   NOT NULL,
    grain_key    text   NOT NULL,
    position     bigint NOT NULL CHECK (position >= 0),
    payload      bytea  NOT NULL,
    PRIMARY KEY (service_id, journal_name, grain_type, grain_key)
);

-- Reminders: read whole per service by every silo's refresh, so the primary key leads with service_id.
CREATE TABLE IF NOT EXISTS reminder (
    service_id text        NOT NULL,
    grain_type text        NOT NULL,
    grain_key  text        NOT NULL,
    name       text        NOT NULL,
    first_due  timestamptz NOT NULL,
    period     interval    NOT NULL,
    -- The latest tick a silo claimed for firing; NULL after (re-)registration. Claims only move forward.
    last_claimed timestamptz NULL,
    PRIMARY KEY (service_id, grain_type, grain_key, name)
);

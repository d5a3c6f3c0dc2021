-- Grain state for Orleans' ADO.NET storage provider on SQLite (AddAdoNetGrainStorage with Invariant
-- "System.Data.SQLite" and a Microsoft.Data.Sqlite connection string such as "Data Source=/var/lib/fleamarket/fleamarket.db").
--
-- The provider identifies a record by ServiceId, the grain type string and the grain id split into N0/N1 (a
-- Guid's two halves, or 0 and an integer key) plus an extension string (a string key, or the extension of a
-- compound key); it also sends 32-bit hashes of the id and the type, which lead the key index.
-- ETag = version: an integer that grows by one on every write and clear. The provider sends the version it last
-- saw as @GrainStateVersion (NULL when it has never seen a record) and compares the version a query returns with
-- it; an equal, NULL or missing result is reported as InconsistentStateException.
--
-- SQLite has no stored procedures, so a query may be several statements; Microsoft.Data.Sqlite runs them in
-- order and the provider reads every result set. The texts avoid single quotes so they sit in plain literals.

CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS orleans_storage (
    service_id         TEXT    NOT NULL,
    grain_type_hash    INTEGER NOT NULL,
    grain_type         TEXT    NOT NULL,
    grain_id_hash      INTEGER NOT NULL,
    grain_id_n0        INTEGER NOT NULL,
    grain_id_n1        INTEGER NOT NULL,
    grain_id_extension TEXT    NULL,
    -- NULL after a clear: the row stays as a tombstone so its version keeps growing and an ETag handed out
    -- before the clear can never match a later record (no ABA).
    payload_binary     BLOB    NULL,
    version            INTEGER NOT NULL,
    modified_on        TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- One record per grain and type, so two first writes racing each other cannot both insert: the second one's
-- INSERT ... ON CONFLICT DO NOTHING returns no row and the provider reports a conflict. NULL and '' extensions
-- are different keys, hence the IS NULL column: SQLite's unique indexes treat NULLs as distinct.
CREATE UNIQUE INDEX IF NOT EXISTS orleans_storage_key ON orleans_storage (
    grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1, grain_type,
    grain_id_extension IS NULL, ifnull(grain_id_extension, ''));

-- Write: an UPDATE for a record already seen, an INSERT for one never seen; @GrainStateVersion makes exactly one
-- of the two statements apply, and each is atomic on its own. Returns NewGrainStateVersion, or no row when
-- someone else wrote first.
-- Read: PayloadBinary (NULL = no record) and Version, by name. Clear: the first column.
-- Delete (only with DeleteStateOnClear = true): version + 1 so the provider sees a change; the row is gone, so
-- a later write starts again at version 1 and the tombstone's ABA protection is lost - hence the default (false).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('WriteToStorageKey', '
    UPDATE orleans_storage
    SET payload_binary = @PayloadBinary, version = version + 1, modified_on = CURRENT_TIMESTAMP
    WHERE @GrainStateVersion IS NOT NULL AND version = @GrainStateVersion
      AND grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash AND service_id = @ServiceId
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
      AND grain_id_extension IS @GrainIdExtensionString
    RETURNING version AS NewGrainStateVersion;

    INSERT INTO orleans_storage (service_id, grain_type_hash, grain_type, grain_id_hash, grain_id_n0, grain_id_n1,
                                 grain_id_extension, payload_binary, version)
    SELECT @ServiceId, @GrainTypeHash, @GrainTypeString, @GrainIdHash, @GrainIdN0, @GrainIdN1,
           @GrainIdExtensionString, @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT DO NOTHING
    RETURNING version AS NewGrainStateVersion;
'),
('ReadFromStorageKey', '
    SELECT payload_binary AS PayloadBinary, version AS Version
    FROM orleans_storage
    WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash AND service_id = @ServiceId
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
      AND grain_id_extension IS @GrainIdExtensionString;
'),
('ClearStorageKey', '
    UPDATE orleans_storage
    SET payload_binary = NULL, version = version + 1, modified_on = CURRENT_TIMESTAMP
    WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash AND service_id = @ServiceId
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
      AND grain_id_extension IS @GrainIdExtensionString
      AND version = @GrainStateVersion
    RETURNING version AS NewGrainStateVersion;
'),
('DeleteStorageKey', '
    DELETE FROM orleans_storage
    WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash AND service_id = @ServiceId
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
      AND grain_id_extension IS @GrainIdExtensionString
      AND version = @GrainStateVersion
    RETURNING version + 1 AS NewGrainStateVersion;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

-- Grain state for Orleans' ADO.NET storage provider (AddAdoNetGrainStorage, Invariant "Npgsql").
--
-- The provider identifies a record by ServiceId, the grain type string and the grain id split into
-- N0/N1 (a Guid's two halves, or 0 and an integer key) plus an extension string (a string key, or the
-- extension of a compound key). It also sends 32-bit hashes of the id and the type; they lead the key
-- index so a lookup touches few index pages however long the type names are.
-- ETag = version: an integer that grows by one on every write and clear. The provider sends the version it
-- last saw as @GrainStateVersion (NULL when it has never seen a record) and compares the version a query
-- returns with it; an equal, NULL or missing result is reported as InconsistentStateException.

CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

CREATE TABLE IF NOT EXISTS orleans_storage (
    service_id         text        NOT NULL,
    grain_type_hash    integer     NOT NULL,
    grain_type         text        NOT NULL,
    grain_id_hash      integer     NOT NULL,
    grain_id_n0        bigint      NOT NULL,
    grain_id_n1        bigint      NOT NULL,
    grain_id_extension text        NULL,
    -- NULL after a clear: the row stays as a tombstone so its version keeps growing and an ETag handed out
    -- before the clear can never match a later record (no ABA).
    payload_binary     bytea       NULL,
    version            integer     NOT NULL,
    modified_on        timestamptz NOT NULL DEFAULT now()
);

-- One record per grain and type. Orleans' own script has only a plain index and a NOT EXISTS check, which two
-- concurrent first writes can both pass; a unique index lets the second INSERT fail softly (ON CONFLICT) and
-- report a conflict instead. NULL and '' extensions are different keys, hence the IS NULL column: a
-- plain unique index would not compare NULLs, and NULLS NOT DISTINCT needs PostgreSQL 15.
CREATE UNIQUE INDEX IF NOT EXISTS orleans_storage_key ON orleans_storage (
    grain_id_hash, grain_type_hash, service_id, grain_id_n0, grain_id_n1, grain_type,
    (grain_id_extension IS NULL), (coalesce(grain_id_extension, '')));

-- A function because the write is an INSERT for a record never seen and a conditional UPDATE otherwise.
-- Returns the new version, or NULL when nothing was written (someone else wrote first).
CREATE OR REPLACE FUNCTION orleans_storage_write(
    _grain_id_hash      integer,
    _grain_id_n0        bigint,
    _grain_id_n1        bigint,
    _grain_type_hash    integer,
    _grain_type         text,
    _grain_id_extension text,
    _service_id         text,
    _expected_version   integer,
    _payload_binary     bytea)
RETURNS integer
LANGUAGE plpgsql
AS $function$
DECLARE
    _new_version integer;
BEGIN
    IF _expected_version IS NULL THEN
        INSERT INTO orleans_storage (service_id, grain_type_hash, grain_type, grain_id_hash, grain_id_n0, grain_id_n1,
                                     grain_id_extension, payload_binary, version)
        VALUES (_service_id, _grain_type_hash, _grain_type, _grain_id_hash, _grain_id_n0, _grain_id_n1,
                _grain_id_extension, _payload_binary, 1)
        ON CONFLICT DO NOTHING
        RETURNING version INTO _new_version;
    ELSE
        UPDATE orleans_storage
        SET payload_binary = _payload_binary, version = version + 1, modified_on = now()
        WHERE grain_id_hash = _grain_id_hash AND grain_type_hash = _grain_type_hash AND service_id = _service_id
          AND grain_id_n0 = _grain_id_n0 AND grain_id_n1 = _grain_id_n1 AND grain_type = _grain_type
          AND grain_id_extension IS NOT DISTINCT FROM _grain_id_extension
          AND version = _expected_version
        RETURNING version INTO _new_version;
    END IF;
    RETURN _new_version;
END
$function$;

-- Reads: PayloadBinary (NULL = no record) and Version, by name.
-- Write: NewGrainStateVersion. Clear: the first column. Delete (only with DeleteStateOnClear = true): the
-- first column, version + 1 so the provider sees a change; the row is gone, so a later write starts again at
-- version 1 and the tombstone's ABA protection is lost - which is why the project keeps the default (false).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('WriteToStorageKey', $query$
    SELECT orleans_storage_write(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
                                 @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary)
           AS "NewGrainStateVersion";
$query$),
('ReadFromStorageKey', $query$
    SELECT payload_binary AS "PayloadBinary", version AS "Version"
    FROM orleans_storage
    WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash AND service_id = @ServiceId
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
      AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString;
$query$),
('ClearStorageKey', $query$
    UPDATE orleans_storage
    SET payload_binary = NULL, version = version + 1, modified_on = now()
    WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash AND service_id = @ServiceId
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
      AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString
      AND version = @GrainStateVersion
    RETURNING version AS "NewGrainStateVersion";
$query$),
('DeleteStorageKey', $query$
    DELETE FROM orleans_storage
    WHERE grain_id_hash = @GrainIdHash AND grain_type_hash = @GrainTypeHash AND service_id = @ServiceId
      AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1 AND grain_type = @GrainTypeString
      AND grain_id_extension IS NOT DISTINCT FROM @GrainIdExtensionString
      AND version = @GrainStateVersion
    RETURNING version + 1 AS "NewGrainStateVersion";
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

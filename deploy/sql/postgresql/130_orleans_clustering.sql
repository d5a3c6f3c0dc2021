-- Cluster membership for Orleans' ADO.NET clustering (UseAdoNetClustering on silos and clients, Invariant
-- "Npgsql"). Orleans' ClusterId is the provider's @DeploymentId.
--
-- The membership protocol needs one compare-and-swap per change: every insert or update of a silo row carries
-- the table version the silo last read (@Version) and succeeds only if that is still the version, bumping it by
-- one in the same transaction. The version lives in a row of its own per cluster. I-am-alive updates and the
-- cleanup of old rows change no version: they do not take part in the protocol's decisions.
--
-- Bound parameters: @DeploymentId, @Address (IP as text), @Port, @Generation, @SiloName, @HostName, @Status
-- (SiloStatus as int: 3 Active, 6 Dead), @ProxyPort (gateway port, 0 when none), @SuspectTimes
-- ("silo,time|silo,time" or NULL), @StartTime and @IAmAliveTime (UTC), @Version (int).
-- Read by name: Address, Port, Generation, SiloName, HostName, Status, ProxyPort, SuspectTimes, StartTime,
-- IAmAliveTime, Version.

CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

CREATE TABLE IF NOT EXISTS orleans_membership_version (
    deployment_id text        NOT NULL PRIMARY KEY,
    version       integer     NOT NULL DEFAULT 0,
    changed_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS orleans_membership (
    deployment_id   text        NOT NULL REFERENCES orleans_membership_version (deployment_id) ON DELETE CASCADE,
    address         varchar(45) NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,
    proxy_port      integer     NOT NULL,
    suspect_times   text        NULL,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

-- Bumping the version row first takes its row lock, so concurrent writers of the same cluster queue behind it
-- and then fail their own version check. If the silo row already exists the block's exception handler undoes
-- the bump with it (a PL/pgSQL block with EXCEPTION is a subtransaction).
CREATE OR REPLACE FUNCTION orleans_membership_insert(
    _deployment_id    text,
    _address          text,
    _port             integer,
    _generation       integer,
    _silo_name        text,
    _host_name        text,
    _status           integer,
    _proxy_port       integer,
    _start_time       timestamptz,
    _i_am_alive_time  timestamptz,
    _expected_version integer)
RETURNS boolean
LANGUAGE plpgsql
AS $function$
BEGIN
    UPDATE orleans_membership_version
    SET version = version + 1, changed_at = now()
    WHERE deployment_id = _deployment_id AND version = _expected_version;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    INSERT INTO orleans_membership (deployment_id, address, port, generation, silo_name, host_name, status,
                                    proxy_port, start_time, i_am_alive_time)
    VALUES (_deployment_id, _address, _port, _generation, _silo_name, _host_name, _status,
            coalesce(_proxy_port, 0), _start_time, _i_am_alive_time);
    RETURN true;
EXCEPTION
    WHEN unique_violation THEN
        RETURN false;
END
$function$;

-- The silo row is locked before the version moves, so a concurrent cleanup cannot delete it in between and
-- leave a version bump without a change.
CREATE OR REPLACE FUNCTION orleans_membership_update(
    _deployment_id    text,
    _address          text,
    _port             integer,
    _generation       integer,
    _status           integer,
    _suspect_times    text,
    _i_am_alive_time  timestamptz,
    _expected_version integer)
RETURNS boolean
LANGUAGE plpgsql
AS $function$
BEGIN
    PERFORM 1 FROM orleans_membership
    WHERE deployment_id = _deployment_id AND address = _address AND port = _port AND generation = _generation
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership_version
    SET version = version + 1, changed_at = now()
    WHERE deployment_id = _deployment_id AND version = _expected_version;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership
    SET status = _status, suspect_times = _suspect_times, i_am_alive_time = _i_am_alive_time
    WHERE deployment_id = _deployment_id AND address = _address AND port = _port AND generation = _generation;
    RETURN true;
END
$function$;

-- Reads join from the version row so the version comes back even when the cluster has no silo rows yet
-- (the provider then sees a NULL StartTime and no members).
-- CleanupDefunctSiloEntryKey is optional in 10.4.2: with it the provider deletes, one by one, only dead rows
-- whose start, liveness and suspicion values are still exactly the ones it read; without it, it falls back to
-- CleanupDefunctSiloEntriesKey (every non-active row older than the cut-off).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey', $query$
    WITH inserted AS (
        INSERT INTO orleans_membership_version (deployment_id) VALUES (@DeploymentId)
        ON CONFLICT (deployment_id) DO NOTHING
        RETURNING 1)
    SELECT count(*) > 0 FROM inserted;
$query$),
('InsertMembershipKey', $query$
    SELECT orleans_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
                                     @ProxyPort, @StartTime, @IAmAliveTime, @Version);
$query$),
('UpdateMembershipKey', $query$
    SELECT orleans_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
                                     @IAmAliveTime, @Version);
$query$),
('UpdateIAmAlivetimeKey', $query$
    UPDATE orleans_membership
    SET i_am_alive_time = @IAmAliveTime
    WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation;
$query$),
('MembershipReadRowKey', $query$
    SELECT v.deployment_id AS "DeploymentId", m.address AS "Address", m.port AS "Port",
           m.generation AS "Generation", m.silo_name AS "SiloName", m.host_name AS "HostName",
           m.status AS "Status", m.proxy_port AS "ProxyPort", m.suspect_times AS "SuspectTimes",
           m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime", v.version AS "Version"
    FROM orleans_membership_version v
    LEFT JOIN orleans_membership m
           ON m.deployment_id = v.deployment_id
          AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    WHERE v.deployment_id = @DeploymentId;
$query$),
('MembershipReadAllKey', $query$
    SELECT v.deployment_id AS "DeploymentId", m.address AS "Address", m.port AS "Port",
           m.generation AS "Generation", m.silo_name AS "SiloName", m.host_name AS "HostName",
           m.status AS "Status", m.proxy_port AS "ProxyPort", m.suspect_times AS "SuspectTimes",
           m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime", v.version AS "Version"
    FROM orleans_membership_version v
    LEFT JOIN orleans_membership m ON m.deployment_id = v.deployment_id
    WHERE v.deployment_id = @DeploymentId;
$query$),
('GatewaysQueryKey', $query$
    SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
    FROM orleans_membership
    WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0;
$query$),
('DeleteMembershipTableEntriesKey', $query$
    DELETE FROM orleans_membership WHERE deployment_id = @DeploymentId;
    DELETE FROM orleans_membership_version WHERE deployment_id = @DeploymentId;
$query$),
('CleanupDefunctSiloEntriesKey', $query$
    DELETE FROM orleans_membership
    WHERE deployment_id = @DeploymentId AND i_am_alive_time < @IAmAliveTime AND status <> 3;
$query$),
('CleanupDefunctSiloEntryKey', $query$
    DELETE FROM orleans_membership
    WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
      AND status = 6 AND start_time = @StartTime AND i_am_alive_time = @IAmAliveTime
      AND suspect_times IS NOT DISTINCT FROM @SuspectTimes;
$query$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;

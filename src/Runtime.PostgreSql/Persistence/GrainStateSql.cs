namespace FleaMarket.Runtime.PostgreSql.Persistence;

/// <summary>
/// The statements of <see cref="PostgreSqlGrainStorage"/>. Parameters: $1 service id, $2 grain type, $3 grain key,
/// $4 state name, then the payload and/or the expected version.
/// </summary>
internal static class GrainStateSql
{
    // A null ETag may write only where no live record is: no row, or a tombstone left by a clear.
    public const string Insert = """
        INSERT INTO grain_state AS s (service_id, grain_type, grain_key, state_name, version, payload)
        VALUES ($1, $2, $3, $4, 1, $5)
        ON CONFLICT (service_id, grain_type, grain_key, state_name)
        DO UPDATE SET payload = excluded.payload, version = s.version + 1, modified_at = now() WHERE s.payload IS NULL
        RETURNING version
        """;

    public const string Update = """
        UPDATE grain_state SET payload = $5, version = version + 1, modified_at = now()
        WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND state_name = $4 AND version = $6 AND payload IS NOT NULL
        RETURNING version
        """;

    // Clearing keeps the row with a higher version, so an ETag read before the clear can never match a later record.
    public const string Clear = """
        UPDATE grain_state SET payload = NULL, version = version + 1, modified_at = now()
        WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND state_name = $4 AND version = $5 AND payload IS NOT NULL
        """;

    public const string Read = """
        SELECT version, payload FROM grain_state
        WHERE service_id = $1 AND grain_type = $2 AND grain_key = $3 AND state_name = $4 AND payload IS NOT NULL
        """;
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.Sqlite.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Sqlite.Persistence;

/// <summary>
/// Grain state in table grain_state, one row per (service, state name, grain), JSON payload. The ETag is
/// the row's integer version; every write is a compare-and-swap on it inside the database's write lock.
/// </summary>
internal sealed class SqliteGrainStorage(SqliteDatabase database, string serviceId, int maxStateBytes, ILogger logger) : IGrainStorage
{
    private const string Where = "service_id = $service AND state_name = $state AND grain_type = $type AND grain_key = $key";

    // Absent or a tombstone (payload NULL, left by a clear): the version continues, so no old ETag matches again.
    private const string InsertSql = """
        INSERT INTO grain_state (service_id, state_name, grain_type, grain_key, version, payload)
        VALUES ($service, $state, $type, $key, 1, $payload)
        ON CONFLICT (service_id, state_name, grain_type, grain_key)
        DO UPDATE SET version = grain_state.version + 1, payload = excluded.payload WHERE grain_state.payload IS NULL
        RETURNING version;
        """;

    private const string UpdateSql = $"UPDATE grain_state SET version = version + 1, payload = $payload WHERE {Where} AND version = $version AND payload IS NOT NULL RETURNING version;";
    private const string ClearSql = $"UPDATE grain_state SET version = version + 1, payload = NULL WHERE {Where} AND version = $version AND payload IS NOT NULL RETURNING version;";
    private const string StoredVersionSql = $"SELECT version FROM grain_state WHERE {Where} AND payload IS NOT NULL;";

    /// <inheritdoc />
    public async Task ReadStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        var row = await database.ReadAsync(async (connection, ct) =>
        {
            using var command = connection.Command($"SELECT version, payload FROM grain_state WHERE {Where} AND payload IS NOT NULL;")
                .WithGrain(serviceId, grainId).With("$state", stateName);
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? (reader.GetInt64(0), reader.GetString(1)) : default((long Version, string Payload)?);
        }, cancellationToken).ConfigureAwait(false);

        grainState.ETag = row?.Version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = row is not null;
        if (row is { } found) grainState.State = SqliteCommandExtensions.FromJson<TState>(found.Payload);
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        // Size is checked on the serialized bytes, before the write lock is taken or the file touched.
        var payload = JsonSerializer.SerializeToUtf8Bytes(grainState.State);
        if (payload.Length > maxStateBytes) throw GrainStateTooLargeException.For(stateName, grainId, payload.Length, maxStateBytes);

        var held = grainState.ETag;
        var version = await database.WriteAsync(async (transaction, ct) =>
        {
            using var command = transaction.Command(held is null ? InsertSql : UpdateSql)
                .WithGrain(serviceId, grainId).With("$state", stateName).With("$payload", Encoding.UTF8.GetString(payload));
            if (held is not null) command.With("$version", ParseETag(held));
            return await command.ReturningAsync(ct).ConfigureAwait(false) ?? throw await ConflictAsync(transaction, stateName, grainId, held, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        var held = grainState.ETag;
        await database.WriteAsync(async (transaction, ct) =>
        {
            // No ETag held: clearing is a no-op that succeeds only if no live record exists.
            using var command = transaction.Command(held is null ? StoredVersionSql : ClearSql).WithGrain(serviceId, grainId).With("$state", stateName);
            if (held is not null) command.With("$version", ParseETag(held));
            var changed = await command.ReturningAsync(ct).ConfigureAwait(false);
            if ((held is null) == changed.HasValue) throw await ConflictAsync(transaction, stateName, grainId, held, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    // An ETag this provider did not issue can match no row; -1 is never a version.
    private static long ParseETag(string etag) =>
        long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : -1;

    private async Task<InconsistentStateException> ConflictAsync(SqliteTransaction transaction, string stateName, GrainId grainId, string? held, CancellationToken cancellationToken)
    {
        using var command = transaction.Command(StoredVersionSql).WithGrain(serviceId, grainId).With("$state", stateName);
        var stored = (await command.ReturningAsync(cancellationToken).ConfigureAwait(false))?.ToString(CultureInfo.InvariantCulture);
        SqliteLog.WriteConflict(logger, stateName, grainId, held ?? "none", stored ?? "none");
        return new InconsistentStateException(
            $"State '{stateName}' of {grainId} was changed by another writer (held ETag {held ?? "none"}, stored {stored ?? "none"}).", stored, held);
    }
}

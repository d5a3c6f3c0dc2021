using System.Globalization;
using System.Text.Json;
using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.PostgreSql.Hosting;
using Npgsql;

namespace FleaMarket.Runtime.PostgreSql.Persistence;

/// <summary>
/// Grain state in <c>grain_state</c>: one row per (service, grain type, key, state name), the state as
/// System.Text.Json bytes, the row version as ETag. Every write and clear is a single conditional statement,
/// so the ETag check and the change are atomic without an explicit transaction.
/// </summary>
internal sealed class PostgreSqlGrainStorage(PostgreSqlDatabase database, string serviceId, int maxStateBytes) : IGrainStorage
{
    private readonly PostgreSqlWriteBatcher _writes = new(database);

    public async Task ReadStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var stored = await ReadRecordAsync(stateName, grainId, "read", cancellationToken).ConfigureAwait(false);
        if (stored is { } record)
        {
            grainState.State = JsonSerializer.Deserialize<TState>(record.Payload)!;
            grainState.ETag = record.Version.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var payload = JsonSerializer.SerializeToUtf8Bytes(grainState.State);
        if (payload.Length > maxStateBytes) throw GrainStateTooLargeException.For(stateName, grainId, payload.Length, maxStateBytes);

        long? newVersion;
        if (grainState.ETag is null)
        {
            newVersion = await ExecuteAsync(GrainStateSql.Insert, stateName, grainId, payload, null, "write", cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var expected = ParseETag(grainState.ETag);
            newVersion = expected is null ? null
                : await ExecuteAsync(GrainStateSql.Update, stateName, grainId, payload, expected, "write", cancellationToken).ConfigureAwait(false);
        }

        if (newVersion is null) throw await ConflictAsync(stateName, grainId, grainState.ETag, cancellationToken).ConfigureAwait(false);
        grainState.ETag = newVersion.Value.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (grainState.ETag is null)
        {
            // Nothing was read, so nothing may be cleared: fine if there is no record, a conflict if there is one.
            if (await ReadRecordAsync(stateName, grainId, "clear", cancellationToken).ConfigureAwait(false) is not null)
            {
                throw await ConflictAsync(stateName, grainId, null, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            var expected = ParseETag(grainState.ETag);
            var cleared = expected is not null
                && await ExecuteAsync(GrainStateSql.Clear, stateName, grainId, null, expected, "clear", cancellationToken).ConfigureAwait(false) is not null;
            if (!cleared) throw await ConflictAsync(stateName, grainId, grainState.ETag, cancellationToken).ConfigureAwait(false);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <summary>Runs a conditional write; returns the new version (1 for a clear), or null if the condition failed.</summary>
    private async Task<long?> ExecuteAsync(string sql, string stateName, GrainId grainId, byte[]? payload, long? expected, string verb, CancellationToken cancellationToken)
    {
        if (payload is not null)
        {
            // Writes of many grains share transactions (group commit); clears are rare and go alone.
            List<NpgsqlParameter> parameters =
            [
                new NpgsqlParameter<string> { TypedValue = serviceId },
                new NpgsqlParameter<string> { TypedValue = grainId.Type },
                new NpgsqlParameter<string> { TypedValue = grainId.Key },
                new NpgsqlParameter<string> { TypedValue = stateName },
                new NpgsqlParameter<byte[]> { TypedValue = payload },
            ];
            if (expected is not null) parameters.Add(new NpgsqlParameter<long> { TypedValue = expected.Value });
            return await _writes.WriteAsync(sql, parameters, $"{verb} state '{stateName}' of grain {grainId}").WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(sql, connection);
            AddKey(command, stateName, grainId);
            if (payload is not null) command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = payload });
            if (expected is not null) command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = expected.Value });
            if (payload is null) return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1 ? 1 : null;
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long version ? version : null;
        }
        catch (NpgsqlException e)
        {
            throw database.Failure($"{verb} state '{stateName}' of grain {grainId}", e);
        }
    }

    private async Task<(long Version, byte[] Payload)?> ReadRecordAsync(string stateName, GrainId grainId, string verb, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadRecordOnceAsync(stateName, grainId, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            // A pooled connection that died with a server restart fails once; reading is safe to repeat on a fresh one.
            database.Failure($"{verb} state '{stateName}' of grain {grainId}", e);
        }

        try
        {
            return await ReadRecordOnceAsync(stateName, grainId, cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException e)
        {
            throw database.Failure($"{verb} state '{stateName}' of grain {grainId}", e);
        }
    }

    private async Task<(long Version, byte[] Payload)?> ReadRecordOnceAsync(string stateName, GrainId grainId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(GrainStateSql.Read, connection);
        AddKey(command, stateName, grainId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        return (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
    }

    private async Task<InconsistentStateException> ConflictAsync(string stateName, GrainId grainId, string? held, CancellationToken cancellationToken)
    {
        var stored = await ReadRecordAsync(stateName, grainId, "check the ETag of", cancellationToken).ConfigureAwait(false);
        var storedETag = stored?.Version.ToString(CultureInfo.InvariantCulture);
        return new InconsistentStateException(
            $"State '{stateName}' of {grainId} was changed by another writer (held ETag {held ?? "none"}, stored {storedETag ?? "none"}).",
            storedETag,
            held);
    }

    private void AddKey(NpgsqlCommand command, string stateName, GrainId grainId)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainId.Type });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainId.Key });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stateName });
    }

    // An ETag this provider did not issue can match no row: treat it as a conflict, not a crash.
    private static long? ParseETag(string etag) =>
        long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : null;
}

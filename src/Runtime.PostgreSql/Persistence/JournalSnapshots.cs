using System.Text.Json;
using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.PostgreSql.Hosting;
using Npgsql;

namespace FleaMarket.Runtime.PostgreSql.Persistence;

/// <summary>The <c>journal_snapshot</c> half of <see cref="PostgreSqlJournalStorage"/>: one latest snapshot per journal.</summary>
internal readonly struct JournalSnapshots(PostgreSqlDatabase database, string serviceId)
{
    // Writes only if the position is within the journal and not older than the stored snapshot, so a slow
    // writer can never replace a newer snapshot with an older one.
    private const string WriteSql = """
        INSERT INTO journal_snapshot AS s (service_id, journal_name, grain_type, grain_key, position, payload)
        SELECT $1, $2, $3, $4, $5, $6
        WHERE $5 <= coalesce((SELECT length FROM journal_head
                              WHERE service_id = $1 AND journal_name = $2 AND grain_type = $3 AND grain_key = $4), 0)
        ON CONFLICT (service_id, journal_name, grain_type, grain_key)
        DO UPDATE SET position = excluded.position, payload = excluded.payload WHERE s.position <= excluded.position
        RETURNING position
        """;

    public async Task WriteAsync<TState>(string journalName, GrainId grainId, long position, TState state, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        var payload = JsonSerializer.SerializeToUtf8Bytes(state);
        bool written;
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(WriteSql, connection);
            AddKey(command, serviceId, journalName, grainId);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position });
            command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = payload });
            written = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long;
        }
        catch (NpgsqlException e)
        {
            throw database.Failure($"write a snapshot of journal '{journalName}' of grain {grainId}", e);
        }

        if (written) return;
        var length = await new PostgreSqlJournalStorage(database, serviceId).GetLengthAsync(journalName, grainId, cancellationToken).ConfigureAwait(false);
        if (position > length)
        {
            throw new ArgumentOutOfRangeException(nameof(position), $"Snapshot position {position} is past the end of the journal ({length}).");
        }

        // Otherwise a newer snapshot is already stored: keeping it is the documented outcome.
    }

    public async Task<JournalSnapshot<TState>?> ReadAsync<TState>(string journalName, GrainId grainId, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("""
                SELECT position, payload FROM journal_snapshot
                WHERE service_id = $1 AND journal_name = $2 AND grain_type = $3 AND grain_key = $4
                """, connection);
            AddKey(command, serviceId, journalName, grainId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
            return new JournalSnapshot<TState>(reader.GetInt64(0), JsonSerializer.Deserialize<TState>(reader.GetFieldValue<byte[]>(1))!);
        }
        catch (NpgsqlException e)
        {
            throw database.Failure($"read the snapshot of journal '{journalName}' of grain {grainId}", e);
        }
    }

    /// <summary>Adds $1..$4: service id, journal name, grain type, grain key.</summary>
    public static void AddKey(NpgsqlCommand command, string serviceId, string journalName, GrainId grainId)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = journalName });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainId.Type });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainId.Key });
    }
}

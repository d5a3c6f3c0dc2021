using System.Text.Json;
using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.PostgreSql.Hosting;
using Npgsql;

namespace FleaMarket.Runtime.PostgreSql.Persistence;

/// <summary>
/// Journals in <c>journal_head</c> (the length) and <c>journal_event</c> (one row per event, unique by
/// position). An append is one statement: a CAS on the head row feeding the insert of the batch, so it
/// commits all events or none and costs the same at any journal length.
/// </summary>
internal sealed class PostgreSqlJournalStorage(PostgreSqlDatabase database, string serviceId) : IJournalStorage
{
    // Appends of many grains (e.g. a thousand listings selling at once) share transactions.
    private readonly PostgreSqlWriteBatcher _appends = new(database);

    private const string Key = "service_id = $1 AND journal_name = $2 AND grain_type = $3 AND grain_key = $4";

    // $5 expected length, $6 number of events, $7 payloads. Concurrent appenders queue on the head row; once
    // the winner commits, the others re-check length = $5, fail it, and insert nothing.
    private const string AppendSql = """
        WITH head AS ({0})
        INSERT INTO journal_event (service_id, journal_name, grain_type, grain_key, position, payload)
        SELECT $1, $2, $3, $4, $5 + e.ordinal, e.payload FROM head, unnest($7::bytea[]) WITH ORDINALITY AS e(payload, ordinal)
        """;

    private const string CreateHeadSql = """
        INSERT INTO journal_head AS h (service_id, journal_name, grain_type, grain_key, length) VALUES ($1, $2, $3, $4, $6)
        ON CONFLICT (service_id, journal_name, grain_type, grain_key) DO UPDATE SET length = $5 + $6 WHERE h.length = $5
        RETURNING length
        """;

    private const string AdvanceHeadSql = $"UPDATE journal_head SET length = $5 + $6 WHERE {Key} AND length = $5 RETURNING length";

    public async Task<long> AppendAsync<TEvent>(string journalName, GrainId grainId, long expectedLength, IReadOnlyList<TEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedLength);
        if (events.Count == 0)
        {
            var length = await GetLengthAsync(journalName, grainId, cancellationToken).ConfigureAwait(false);
            return length == expectedLength ? length : throw Conflict(journalName, grainId, expectedLength, length);
        }

        var payloads = events.Select(e => JsonSerializer.SerializeToUtf8Bytes(e)).ToArray();
        long inserted;
        var head = expectedLength == 0 ? CreateHeadSql : AdvanceHeadSql;
        List<NpgsqlParameter> parameters =
        [
            new NpgsqlParameter<string> { TypedValue = serviceId },
            new NpgsqlParameter<string> { TypedValue = journalName },
            new NpgsqlParameter<string> { TypedValue = grainId.Type },
            new NpgsqlParameter<string> { TypedValue = grainId.Key },
            new NpgsqlParameter<long> { TypedValue = expectedLength },
            new NpgsqlParameter<long> { TypedValue = payloads.Length },
            new NpgsqlParameter<byte[][]> { TypedValue = payloads },
        ];
        try
        {
            inserted = await _appends.WriteAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, AppendSql, head), parameters,
                $"append {events.Count} events to journal '{journalName}' of grain {grainId}", countRows: true).WaitAsync(cancellationToken).ConfigureAwait(false) ?? 0;
        }
        catch (PostgreSqlStorageException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The head row and the primary key agree by construction; a duplicate position still means another writer won.
            throw Conflict(journalName, grainId, expectedLength, null);
        }

        if (inserted != payloads.Length)
        {
            throw Conflict(journalName, grainId, expectedLength, await GetLengthAsync(journalName, grainId, cancellationToken).ConfigureAwait(false));
        }

        return expectedLength + inserted;
    }

    public async Task<IReadOnlyList<JournalEvent<TEvent>>> ReadAsync<TEvent>(string journalName, GrainId grainId, long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterPosition);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(
                $"SELECT position, payload FROM journal_event WHERE {Key} AND position > $5 ORDER BY position LIMIT $6", connection);
            AddKey(command, journalName, grainId);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterPosition });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxCount });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var events = new List<JournalEvent<TEvent>>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                events.Add(new JournalEvent<TEvent>(reader.GetInt64(0), JsonSerializer.Deserialize<TEvent>(reader.GetFieldValue<byte[]>(1))!));
            }

            return events;
        }
        catch (NpgsqlException e)
        {
            throw database.Failure($"read journal '{journalName}' of grain {grainId}", e);
        }
    }

    public Task WriteSnapshotAsync<TState>(string journalName, GrainId grainId, long position, TState state, CancellationToken cancellationToken = default) =>
        new JournalSnapshots(database, serviceId).WriteAsync(journalName, grainId, position, state, cancellationToken);

    public Task<JournalSnapshot<TState>?> ReadSnapshotAsync<TState>(string journalName, GrainId grainId, CancellationToken cancellationToken = default) =>
        new JournalSnapshots(database, serviceId).ReadAsync<TState>(journalName, grainId, cancellationToken);

    public async Task<long> GetLengthAsync(string journalName, GrainId grainId, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"SELECT length FROM journal_head WHERE {Key}", connection);
            AddKey(command, journalName, grainId);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long length ? length : 0;
        }
        catch (NpgsqlException e)
        {
            throw database.Failure($"read the length of journal '{journalName}' of grain {grainId}", e);
        }
    }

    private void AddKey(NpgsqlCommand command, string journalName, GrainId grainId) =>
        JournalSnapshots.AddKey(command, serviceId, journalName, grainId);

    private static InconsistentStateException Conflict(string journalName, GrainId grainId, long expected, long? actual) => new(
        $"Journal '{journalName}' of {grainId} has {(actual is { } a ? a.ToString(System.Globalization.CultureInfo.InvariantCulture) : "a different number of")} events, not the {expected} the writer expected; nothing was appended.");
}

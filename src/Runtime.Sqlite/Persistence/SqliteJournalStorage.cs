using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.Sqlite.Hosting;
using Microsoft.Data.Sqlite;

namespace FleaMarket.Runtime.Sqlite.Persistence;

/// <summary>
/// Journals in tables journal_heads (one length per journal), journal_events (append-only) and
/// journal_snapshots. An append is a compare-and-swap on the head row plus inserts at the next positions,
/// in one transaction: its cost does not grow with the journal.
/// </summary>
internal sealed class SqliteJournalStorage(SqliteDatabase database, string serviceId) : IJournalStorage
{
    private const string Where = "service_id = $service AND journal = $journal AND grain_type = $type AND grain_key = $key";
    private const string LengthSql = $"SELECT length FROM journal_heads WHERE {Where};";

    /// <inheritdoc />
    public async Task<long> AppendAsync<TEvent>(string journalName, GrainId grainId, long expectedLength, IReadOnlyList<TEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(expectedLength);
        var payloads = events.Select(SqliteCommandExtensions.ToJson).ToList();
        var newLength = expectedLength + payloads.Count;
        return await database.WriteAsync(async (transaction, ct) =>
        {
            // The head row serializes appenders: only a writer that saw the current length moves it.
            using var advance = transaction.Command(expectedLength == 0
                ? """
                  INSERT INTO journal_heads (service_id, journal, grain_type, grain_key, length) VALUES ($service, $journal, $type, $key, $new)
                  ON CONFLICT (service_id, journal, grain_type, grain_key) DO UPDATE SET length = excluded.length WHERE journal_heads.length = 0;
                  """
                : $"UPDATE journal_heads SET length = $new WHERE {Where} AND length = $expected;")
                .WithGrain(serviceId, grainId).With("$journal", journalName).With("$new", newLength).With("$expected", expectedLength);
            if (await advance.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0)
            {
                using var current = transaction.Command(LengthSql).WithGrain(serviceId, grainId).With("$journal", journalName);
                var stored = await current.ReturningAsync(ct).ConfigureAwait(false) ?? 0;
                throw new InconsistentStateException(
                    $"Journal '{journalName}' of {grainId} has {stored} events, not the {expectedLength} the writer expected.");
            }

            using var insert = transaction.Command("""
                INSERT INTO journal_events (service_id, journal, grain_type, grain_key, position, payload)
                VALUES ($service, $journal, $type, $key, $position, $payload);
                """).WithGrain(serviceId, grainId).With("$journal", journalName);
            var position = insert.Parameters.Add("$position", SqliteType.Integer);
            var payload = insert.Parameters.Add("$payload", SqliteType.Text);
            for (var i = 0; i < payloads.Count; i++)
            {
                position.Value = expectedLength + i + 1;
                payload.Value = payloads[i];
                await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            return newLength;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<JournalEvent<TEvent>>> ReadAsync<TEvent>(string journalName, GrainId grainId, long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterPosition);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        return database.ReadAsync<IReadOnlyList<JournalEvent<TEvent>>>(async (connection, ct) =>
        {
            using var command = connection.Command($"SELECT position, payload FROM journal_events WHERE {Where} AND position > $after ORDER BY position LIMIT $max;")
                .WithGrain(serviceId, grainId).With("$journal", journalName).With("$after", afterPosition).With("$max", maxCount);
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var events = new List<JournalEvent<TEvent>>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                events.Add(new JournalEvent<TEvent>(reader.GetInt64(0), SqliteCommandExtensions.FromJson<TEvent>(reader.GetString(1))));
            }

            return events;
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<long> GetLengthAsync(string journalName, GrainId grainId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async (connection, ct) =>
        {
            using var command = connection.Command(LengthSql).WithGrain(serviceId, grainId).With("$journal", journalName);
            return await command.ReturningAsync(ct).ConfigureAwait(false) ?? 0;
        }, cancellationToken);

    /// <inheritdoc />
    public async Task WriteSnapshotAsync<TState>(string journalName, GrainId grainId, long position, TState state, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        var payload = SqliteCommandExtensions.ToJson(state);
        await database.WriteAsync(async (transaction, ct) =>
        {
            using var length = transaction.Command(LengthSql).WithGrain(serviceId, grainId).With("$journal", journalName);
            var stored = await length.ReturningAsync(ct).ConfigureAwait(false) ?? 0;
            if (position > stored)
            {
                throw new ArgumentOutOfRangeException(nameof(position), $"Snapshot position {position} is past the end of the journal ({stored}).");
            }

            // An older snapshot arriving late never replaces a newer one.
            using var upsert = transaction.Command("""
                INSERT INTO journal_snapshots (service_id, journal, grain_type, grain_key, position, payload)
                VALUES ($service, $journal, $type, $key, $position, $payload)
                ON CONFLICT (service_id, journal, grain_type, grain_key)
                DO UPDATE SET position = excluded.position, payload = excluded.payload WHERE excluded.position >= journal_snapshots.position;
                """).WithGrain(serviceId, grainId).With("$journal", journalName).With("$position", position).With("$payload", payload);
            return await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<JournalSnapshot<TState>?> ReadSnapshotAsync<TState>(string journalName, GrainId grainId, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async (connection, ct) =>
        {
            using var command = connection.Command($"SELECT position, payload FROM journal_snapshots WHERE {Where};")
                .WithGrain(serviceId, grainId).With("$journal", journalName);
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false)
                ? new JournalSnapshot<TState>(reader.GetInt64(0), SqliteCommandExtensions.FromJson<TState>(reader.GetString(1)))
                : null;
        }, cancellationToken);
}

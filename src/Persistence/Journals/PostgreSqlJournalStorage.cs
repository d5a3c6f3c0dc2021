using Microsoft.Extensions.Logging;
using Npgsql;

namespace FleaMarket.Persistence.Journals;

/// <summary>
/// Journals in <c>journal_stream</c> (one length per stream) and <c>journal_entry</c> (one row per event, unique by
/// position), deploy/sql/postgresql/200_journal.sql, and <c>journal_tag</c> (210_journal_tags.sql). An append is a
/// compare-and-swap on the length row feeding the insert of the events and tags, so it commits all of them or none
/// and costs the same at any stream length. Appends of all streams go through one <see cref="PostgreSqlWriteBatcher"/>
/// and share statements and transactions.
/// </summary>
internal sealed class PostgreSqlJournalStorage : IJournalStorage, IAsyncDisposable, IDisposable
{
    private const string Key = "service_id = $1 AND journal_name = $2 AND stream_id = $3";

    private readonly PostgreSqlDatabase _database;
    private readonly PostgreSqlWriteBatcher _appends;
    private readonly string _serviceId;
    private int _disposed;

    public PostgreSqlJournalStorage(string connectionString, string serviceId, ILogger? logger = null)
    {
        _database = new PostgreSqlDatabase(connectionString, logger);
        _appends = new PostgreSqlWriteBatcher(_database, serviceId);
        _serviceId = serviceId;
    }

    public async Task<long> AppendAsync<TEvent>(string journalName, string streamId, long expectedLength, IReadOnlyList<TEvent> events,
        IReadOnlyCollection<string>? tags = null, CancellationToken cancellationToken = default)
    {
        JournalRules.CheckAppend(journalName, streamId, expectedLength, events, tags);
        if (events.Count == 0)
        {
            var length = await GetLengthAsync(journalName, streamId, cancellationToken).ConfigureAwait(false);
            return length == expectedLength ? length : throw JournalRules.Conflict(journalName, streamId, expectedLength, length);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var append = new StreamAppend(journalName, streamId, expectedLength, events.Select(JournalRules.Serialize).ToArray(), JournalRules.Distinct(tags));

        // Waiting is cancellable, the write is not: once queued it commits or fails with its batch.
        var appended = await _appends.AppendAsync(append, $"append {events.Count} events to {JournalRules.Describe(journalName, streamId)}")
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        if (appended) return expectedLength + events.Count;

        long? stored;
        try
        {
            stored = await GetLengthAsync(journalName, streamId, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException)
        {
            // The append did fail its compare-and-swap; only the message loses the stored length.
            stored = null;
        }

        throw JournalRules.Conflict(journalName, streamId, expectedLength, stored);
    }

    public Task<IReadOnlyList<JournalEntry<TEvent>>> ReadAsync<TEvent>(string journalName, string streamId, long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        JournalRules.CheckRead(journalName, streamId, afterPosition, maxCount);
        return _database.ReadAsync<IReadOnlyList<JournalEntry<TEvent>>>(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(
                $"SELECT position, payload FROM journal_entry WHERE {Key} AND position > $4 ORDER BY position LIMIT $5", connection);
            command.Parameters.AddRange(KeyParameters(journalName, streamId));
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterPosition });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = maxCount });
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var entries = new List<JournalEntry<TEvent>>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                entries.Add(new JournalEntry<TEvent>(reader.GetInt64(0), JournalRules.Deserialize<TEvent>(reader.GetFieldValue<byte[]>(1))));
            }

            return entries;
        }, $"read {JournalRules.Describe(journalName, streamId)}", cancellationToken);
    }

    public Task<IReadOnlyList<string>> FindStreamsAsync(string journalName, string tag, CancellationToken cancellationToken = default)
    {
        JournalRules.CheckFind(journalName, tag);
        return _database.ReadAsync<IReadOnlyList<string>>(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand(
                "SELECT stream_id FROM journal_tag WHERE service_id = $1 AND journal_name = $2 AND tag = $3 ORDER BY stream_id COLLATE \"C\"", connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _serviceId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = journalName });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tag });
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var streams = new List<string>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) streams.Add(reader.GetString(0));
            return streams;
        }, $"find {JournalRules.DescribeTagged(journalName, tag)}", cancellationToken);
    }

    public Task<long> GetLengthAsync(string journalName, string streamId, CancellationToken cancellationToken = default)
    {
        JournalRules.CheckStream(journalName, streamId);
        return _database.ReadAsync(async (connection, ct) =>
        {
            await using var command = new NpgsqlCommand($"SELECT length FROM journal_stream WHERE {Key}", connection);
            command.Parameters.AddRange(KeyParameters(journalName, streamId));
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is long length ? length : 0;
        }, $"read the length of {JournalRules.Describe(journalName, streamId)}", cancellationToken);
    }

    /// <summary>Commits or fails the appends already queued, then closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _appends.CloseAsync().ConfigureAwait(false);
        await _database.DisposeAsync().ConfigureAwait(false);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>$1..$3: service id, journal name, stream id.</summary>
    private NpgsqlParameter[] KeyParameters(string journalName, string streamId) =>
    [
        new NpgsqlParameter<string> { TypedValue = _serviceId },
        new NpgsqlParameter<string> { TypedValue = journalName },
        new NpgsqlParameter<string> { TypedValue = streamId },
    ];
}

using Microsoft.Extensions.Logging;
using Npgsql;

namespace FleaMarket.Persistence.Journals;

/// <summary>
/// Journals in <c>journal_stream</c> (one length per stream) and <c>journal_entry</c> (one row per event, unique by
/// position), deploy/sql/postgresql/200_journal.sql. An append is one statement, a compare-and-swap on the length
/// row feeding the insert of the events, so it commits all of them or none and costs the same at any stream length.
/// Appends of all streams go through one <see cref="PostgreSqlWriteBatcher"/> and share transactions.
/// </summary>
internal sealed class PostgreSqlJournalStorage : IJournalStorage, IAsyncDisposable, IDisposable
{
    private const string Key = "service_id = $1 AND journal_name = $2 AND stream_id = $3";

    // $4 expected length, $5 number of events, $6 payloads, $7 tags. Concurrent appenders queue on the length row; once
    // the winner commits, the others re-check length = $4, fail it, and insert nothing (no events, no tags).
    private const string AppendSql = """
        WITH head AS ({0}){1}
        INSERT INTO journal_entry (service_id, journal_name, stream_id, position, payload)
        SELECT $1, $2, $3, $4 + e.ordinal, e.payload FROM head, unnest($6::bytea[]) WITH ORDINALITY AS e(payload, ordinal)
        """;

    // Only when the append carries tags: most appends (a listing's later batches) add none.
    private const string TagSql = """
        ,
        tagged AS (
            INSERT INTO journal_tag (service_id, journal_name, tag, stream_id)
            SELECT $1, $2, t.tag, $3 FROM head, unnest($7::text[]) AS t(tag)
            ON CONFLICT DO NOTHING)
        """;

    private const string CreateStreamHead = """
        INSERT INTO journal_stream AS s (service_id, journal_name, stream_id, length) VALUES ($1, $2, $3, $5)
        ON CONFLICT (service_id, journal_name, stream_id) DO UPDATE SET length = $4 + $5 WHERE s.length = $4
        RETURNING length
        """;

    private const string AdvanceStreamHead = $"UPDATE journal_stream SET length = $4 + $5 WHERE {Key} AND length = $4 RETURNING length";

    private static readonly string CreateStreamSql = Append(CreateStreamHead, tagged: false);
    private static readonly string AdvanceStreamSql = Append(AdvanceStreamHead, tagged: false);
    private static readonly string CreateTaggedStreamSql = Append(CreateStreamHead, tagged: true);
    private static readonly string AdvanceTaggedStreamSql = Append(AdvanceStreamHead, tagged: true);

    private readonly PostgreSqlDatabase _database;
    private readonly PostgreSqlWriteBatcher _appends;
    private readonly string _serviceId;
    private int _disposed;

    public PostgreSqlJournalStorage(string connectionString, string serviceId, ILogger? logger = null)
    {
        _database = new PostgreSqlDatabase(connectionString, logger);
        _appends = new PostgreSqlWriteBatcher(_database);
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
        var payloads = events.Select(JournalRules.Serialize).ToArray();
        NpgsqlParameter[] parameters =
        [
            .. KeyParameters(journalName, streamId),
            new NpgsqlParameter<long> { TypedValue = expectedLength },
            new NpgsqlParameter<long> { TypedValue = payloads.Length },
            new NpgsqlParameter<byte[][]> { TypedValue = payloads },
        ];
        var distinctTags = JournalRules.Distinct(tags);
        if (distinctTags.Length > 0) parameters = [.. parameters, new NpgsqlParameter<string[]> { TypedValue = distinctTags }];
        var sql = (expectedLength == 0, distinctTags.Length > 0) switch
        {
            (true, false) => CreateStreamSql,
            (false, false) => AdvanceStreamSql,
            (true, true) => CreateTaggedStreamSql,
            (false, true) => AdvanceTaggedStreamSql,
        };

        // Waiting is cancellable, the write is not: once queued it commits or fails with its batch.
        var inserted = await _appends.WriteAsync(sql, parameters,
            $"append {events.Count} events to {JournalRules.Describe(journalName, streamId)}").WaitAsync(cancellationToken).ConfigureAwait(false);
        if (inserted == payloads.Length) return expectedLength + inserted;

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

    private static string Append(string head, bool tagged) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, AppendSql, head, tagged ? TagSql : "");

    /// <summary>$1..$3: service id, journal name, stream id.</summary>
    private NpgsqlParameter[] KeyParameters(string journalName, string streamId) =>
    [
        new NpgsqlParameter<string> { TypedValue = _serviceId },
        new NpgsqlParameter<string> { TypedValue = journalName },
        new NpgsqlParameter<string> { TypedValue = streamId },
    ];
}

using FleaMarket.Persistence.Sqlite;
using Microsoft.Data.Sqlite;

namespace FleaMarket.Persistence.Journals;

/// <summary>
/// Journals in <c>journal_stream</c> (one length per stream) and <c>journal_entry</c> (the events as JSON text),
/// deploy/sql/sqlite/200_journal.sql. An append is a compare-and-swap on the length row plus inserts at the next
/// positions in one transaction, so its cost does not grow with the stream; appends of all streams share the
/// file's single write connection and commit in groups (<see cref="SqliteWriteQueue"/>).
/// </summary>
internal sealed class SqliteJournalStorage(SqliteDatabase database, string serviceId) : IJournalStorage
{
    private const string Key = "service_id = $service AND journal_name = $journal AND stream_id = $stream";
    private const string LengthSql = $"SELECT length FROM journal_stream WHERE {Key};";

    // The length row serializes appenders: only a writer that saw the current length moves it.
    private const string CreateStreamSql = """
        INSERT INTO journal_stream (service_id, journal_name, stream_id, length) VALUES ($service, $journal, $stream, $new)
        ON CONFLICT (service_id, journal_name, stream_id) DO UPDATE SET length = excluded.length WHERE journal_stream.length = 0;
        """;

    private const string AdvanceStreamSql = $"UPDATE journal_stream SET length = $new WHERE {Key} AND length = $expected;";

    private const string InsertSql = """
        INSERT INTO journal_entry (service_id, journal_name, stream_id, position, payload) VALUES ($service, $journal, $stream, $position, $payload);
        """;

    private const string TagSql = """
        INSERT INTO journal_tag (service_id, journal_name, tag, stream_id) VALUES ($service, $journal, $tag, $stream) ON CONFLICT DO NOTHING;
        """;

    public async Task<long> AppendAsync<TEvent>(string journalName, string streamId, long expectedLength, IReadOnlyList<TEvent> events,
        IReadOnlyCollection<string>? tags = null, CancellationToken cancellationToken = default)
    {
        JournalRules.CheckAppend(journalName, streamId, expectedLength, events, tags);
        if (events.Count == 0)
        {
            var length = await GetLengthAsync(journalName, streamId, cancellationToken).ConfigureAwait(false);
            return length == expectedLength ? length : throw JournalRules.Conflict(journalName, streamId, expectedLength, length);
        }

        var payloads = events.Select(e => System.Text.Encoding.UTF8.GetString(JournalRules.Serialize(e))).ToList();
        var distinctTags = JournalRules.Distinct(tags);
        var newLength = expectedLength + payloads.Count;
        return await database.GuardAsync(database.WriteAsync(async (transaction, ct) =>
        {
            using var advance = Command(transaction, expectedLength == 0 ? CreateStreamSql : AdvanceStreamSql, journalName, streamId);
            advance.Parameters.AddWithValue("$new", newLength);
            advance.Parameters.AddWithValue("$expected", expectedLength);
            if (await advance.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0)
            {
                using var current = Command(transaction, LengthSql, journalName, streamId);
                var stored = await current.ExecuteScalarAsync(ct).ConfigureAwait(false) as long? ?? 0;
                throw JournalRules.Conflict(journalName, streamId, expectedLength, stored);
            }

            using var insert = Command(transaction, InsertSql, journalName, streamId);
            var position = insert.Parameters.Add("$position", SqliteType.Integer);
            var payload = insert.Parameters.Add("$payload", SqliteType.Text);
            for (var i = 0; i < payloads.Count; i++)
            {
                position.Value = expectedLength + i + 1;
                payload.Value = payloads[i];
                await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            if (distinctTags.Length > 0)
            {
                using var label = Command(transaction, TagSql, journalName, streamId);
                var tag = label.Parameters.Add("$tag", SqliteType.Text);
                foreach (var value in distinctTags)
                {
                    tag.Value = value;
                    await label.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
            }

            return newLength;
        }, cancellationToken), $"append {events.Count} events to {JournalRules.Describe(journalName, streamId)}").ConfigureAwait(false);
    }

    public Task<IReadOnlyList<JournalEntry<TEvent>>> ReadAsync<TEvent>(string journalName, string streamId, long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        JournalRules.CheckRead(journalName, streamId, afterPosition, maxCount);
        return database.GuardAsync(database.ReadAsync<IReadOnlyList<JournalEntry<TEvent>>>(async (connection, ct) =>
        {
            using var command = Command(connection, $"SELECT position, payload FROM journal_entry WHERE {Key} AND position > $after ORDER BY position LIMIT $max;", journalName, streamId);
            command.Parameters.AddWithValue("$after", afterPosition);
            command.Parameters.AddWithValue("$max", maxCount);
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var entries = new List<JournalEntry<TEvent>>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                entries.Add(new JournalEntry<TEvent>(reader.GetInt64(0), JournalRules.Deserialize<TEvent>(reader.GetString(1))));
            }

            return entries;
        }, cancellationToken), $"read {JournalRules.Describe(journalName, streamId)}");
    }

    public Task<IReadOnlyList<string>> FindStreamsAsync(string journalName, string tag, CancellationToken cancellationToken = default)
    {
        JournalRules.CheckFind(journalName, tag);
        return database.GuardAsync(database.ReadAsync<IReadOnlyList<string>>(async (connection, ct) =>
        {
            using var command = connection.CreateCommand();
            // BINARY collation: ordinal order of the UTF-8 bytes, the same as PostgreSQL's "C".
            command.CommandText = "SELECT stream_id FROM journal_tag WHERE service_id = $service AND journal_name = $journal AND tag = $tag ORDER BY stream_id;";
            command.Parameters.AddWithValue("$service", serviceId);
            command.Parameters.AddWithValue("$journal", journalName);
            command.Parameters.AddWithValue("$tag", tag);
            using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var streams = new List<string>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false)) streams.Add(reader.GetString(0));
            return streams;
        }, cancellationToken), $"find {JournalRules.DescribeTagged(journalName, tag)}");
    }

    public Task<long> GetLengthAsync(string journalName, string streamId, CancellationToken cancellationToken = default)
    {
        JournalRules.CheckStream(journalName, streamId);
        return database.GuardAsync(database.ReadAsync(async (connection, ct) =>
        {
            using var command = Command(connection, LengthSql, journalName, streamId);
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) as long? ?? 0;
        }, cancellationToken), $"read the length of {JournalRules.Describe(journalName, streamId)}");
    }

    private SqliteCommand Command(SqliteTransaction transaction, string sql, string journalName, string streamId)
    {
        var command = Command(transaction.Connection!, sql, journalName, streamId);
        // Microsoft.Data.Sqlite rejects a command on a connection with an open transaction unless it names it.
        command.Transaction = transaction;
        return command;
    }

    private SqliteCommand Command(SqliteConnection connection, string sql, string journalName, string streamId)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$service", serviceId);
        command.Parameters.AddWithValue("$journal", journalName);
        command.Parameters.AddWithValue("$stream", streamId);
        return command;
    }
}

using Npgsql;
using FleaMarket.Runtime.PostgreSql.Hosting;

namespace FleaMarket.Runtime.PostgreSql.Persistence;

/// <summary>
/// Group commit for grain state writes and journal appends across grains: while one batch is in flight, the writes that arrive
/// queue up and go out together as the next batch — one round trip and one transaction (one WAL flush) for
/// all of them. Each write is still its own conditional statement, so an ETag mismatch fails that write
/// alone (no row comes back) while the others commit. If the transaction fails, every write in it fails:
/// nothing is reported written that is not durable.
/// </summary>
internal sealed class PostgreSqlWriteBatcher(PostgreSqlDatabase database)
{
    private const int MaxBatch = 256;
    private readonly Lock _gate = new();
    private readonly List<PendingWrite> _queue = [];
    private bool _flushing;

    /// <summary>
    /// Queues a conditional write. With <paramref name="countRows"/> false the statement returns the new version
    /// (completes with it, or null on a conflict); with true the task completes with the number of rows it changed.
    /// </summary>
    public Task<long?> WriteAsync(string sql, IReadOnlyList<NpgsqlParameter> parameters, string operation, bool countRows = false)
    {
        var pending = new PendingWrite(sql, parameters, operation, countRows);
        bool start;
        lock (_gate)
        {
            _queue.Add(pending);
            start = !_flushing;
            _flushing = true;
        }

        if (start) _ = Task.Run(FlushLoopAsync);
        return pending.Result.Task;
    }

    private async Task FlushLoopAsync()
    {
        while (true)
        {
            List<PendingWrite> batch;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _flushing = false;
                    return;
                }

                batch = _queue.Count <= MaxBatch ? [.. _queue] : _queue.GetRange(0, MaxBatch);
                _queue.RemoveRange(0, batch.Count);
            }

            await FlushAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task FlushAsync(List<PendingWrite> batch)
    {
        var versions = new long?[batch.Count];
        try
        {
            await using var connection = await database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
            await using (var commands = new NpgsqlBatch(connection, transaction))
            {
                foreach (var write in batch)
                {
                    var command = new NpgsqlBatchCommand(write.Sql);
                    // Clones: a parameter belongs to one command, and a batch may be re-run write by write.
                    foreach (var parameter in write.Parameters) command.Parameters.Add(parameter.Clone());
                    commands.BatchCommands.Add(command);
                }

                await using (var reader = await commands.ExecuteReaderAsync().ConfigureAwait(false))
                {
                    for (var i = 0; i < batch.Count; i++)
                    {
                        if (i > 0) await reader.NextResultAsync().ConfigureAwait(false);
                        if (!batch[i].CountRows) versions[i] = await reader.ReadAsync().ConfigureAwait(false) ? reader.GetInt64(0) : null;
                    }
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    if (batch[i].CountRows) versions[i] = commands.BatchCommands[i].RecordsAffected;
                }
            }

            await transaction.CommitAsync().ConfigureAwait(false);
        }
        catch (PostgresException e) when (batch.Count > 1 && e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // One statement's error aborted the shared transaction (a duplicate journal position: two activations
            // of one grain). Run the batch one by one so only the loser fails.
            foreach (var write in batch) await FlushAsync([write]).ConfigureAwait(false);
            return;
        }
        catch (NpgsqlException e)
        {
            foreach (var write in batch) write.Result.TrySetException(database.Failure(write.Operation, e));
            return;
        }
        catch (Exception e)
        {
            foreach (var write in batch) write.Result.TrySetException(e);
            return;
        }

        for (var i = 0; i < batch.Count; i++) batch[i].Result.TrySetResult(versions[i]);
    }

    private sealed class PendingWrite(string sql, IReadOnlyList<NpgsqlParameter> parameters, string operation, bool countRows)
    {
        public bool CountRows { get; } = countRows;

        public string Sql { get; } = sql;

        public IReadOnlyList<NpgsqlParameter> Parameters { get; } = parameters;

        public string Operation { get; } = operation;

        public TaskCompletionSource<long?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

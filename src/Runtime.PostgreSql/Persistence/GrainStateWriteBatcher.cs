using Npgsql;
using FleaMarket.Runtime.PostgreSql.Hosting;

namespace FleaMarket.Runtime.PostgreSql.Persistence;

/// <summary>
/// Group commit for grain state writes across grains: while one batch is in flight, the writes that arrive
/// queue up and go out together as the next batch — one round trip and one transaction (one WAL flush) for
/// all of them. Each write is still its own conditional statement, so an ETag mismatch fails that write
/// alone (no row comes back) while the others commit. If the transaction fails, every write in it fails:
/// nothing is reported written that is not durable.
/// </summary>
internal sealed class GrainStateWriteBatcher(PostgreSqlDatabase database)
{
    private const int MaxBatch = 256;
    private readonly Lock _gate = new();
    private readonly List<PendingWrite> _queue = [];
    private bool _flushing;

    /// <summary>Queues a conditional write (a statement returning the new version); completes with that version, or null on a conflict.</summary>
    public Task<long?> WriteAsync(string sql, IReadOnlyList<NpgsqlParameter> parameters, string operation)
    {
        var pending = new PendingWrite(sql, parameters, operation);
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
                    foreach (var parameter in write.Parameters) command.Parameters.Add(parameter);
                    commands.BatchCommands.Add(command);
                }

                await using var reader = await commands.ExecuteReaderAsync().ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    if (i > 0) await reader.NextResultAsync().ConfigureAwait(false);
                    versions[i] = await reader.ReadAsync().ConfigureAwait(false) ? reader.GetInt64(0) : null;
                }
            }

            await transaction.CommitAsync().ConfigureAwait(false);
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

    private sealed class PendingWrite(string sql, IReadOnlyList<NpgsqlParameter> parameters, string operation)
    {
        public string Sql { get; } = sql;

        public IReadOnlyList<NpgsqlParameter> Parameters { get; } = parameters;

        public string Operation { get; } = operation;

        public TaskCompletionSource<long?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

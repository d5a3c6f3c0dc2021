using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace FleaMarket.Persistence.Sqlite;

/// <summary>
/// Group commit for the single write connection. Writes queue up while a commit's fsync runs; the next
/// batch runs them all in one transaction, each inside its own savepoint, and commits once. A write that
/// throws (an ETag conflict) rolls back only its savepoint; a batch that cannot commit fails every write in
/// it. Under 20 concurrent writers this turns 20 fsyncs into one. Each write still sees the effects of the
/// writes before it, so compare-and-swap stays exact: one of many writers from the same version wins.
/// </summary>
internal sealed class SqliteWriteQueue
{
    private const int MaxBatch = 128;
    private readonly Channel<IWrite> _queue = Channel.CreateUnbounded<IWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<Func<SqliteConnection, Task>, Task> _withWriter;
    private readonly Task _loop;

    /// <param name="withWriter">Runs a batch holding the open write connection (opened on first use).</param>
    public SqliteWriteQueue(Func<Func<SqliteConnection, Task>, Task> withWriter)
    {
        _withWriter = withWriter;
        _loop = Task.Run(RunAsync);
    }

    public Task<T> EnqueueAsync<T>(Func<SqliteTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var write = new Write<T>(work, cancellationToken);
        if (!_queue.Writer.TryWrite(write)) throw new ObjectDisposedException(nameof(SqliteDatabase));
        return write.Completion.Task;
    }

    /// <summary>Stops taking writes and waits for the queued ones to finish.</summary>
    public Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        return _loop;
    }

    private async Task RunAsync()
    {
        var batch = new List<IWrite>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write))
            {
                // Cancelled before it ran: it never will, so the caller can be told so without doubt.
                if (write.CancellationToken.IsCancellationRequested) write.Cancel();
                else batch.Add(write);
            }

            if (batch.Count == 0) continue;
            try
            {
                await _withWriter(connection => RunBatchAsync(connection, batch)).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                foreach (var write in batch) write.Fail(error);
            }

            batch.Clear();
        }
    }

    private static async Task RunBatchAsync(SqliteConnection connection, List<IWrite> batch)
    {
        var succeeded = new List<IWrite>(batch.Count);
        // IMMEDIATE (the default of BeginTransaction) takes the file's write lock up front: another process
        // on the same file makes us wait busy_timeout here instead of failing later on a lock upgrade.
        using (var transaction = connection.BeginTransaction(deferred: false))
        {
            foreach (var write in batch)
            {
                transaction.Save("write");
                try
                {
                    await write.RunAsync(transaction).ConfigureAwait(false);
                    transaction.Release("write");
                    succeeded.Add(write);
                }
                catch (Exception error)
                {
                    // If SQLite already rolled back the whole transaction (I/O error, disk full), this throws
                    // and the batch fails as a whole: nothing in it was committed.
                    transaction.Rollback("write");
                    transaction.Release("write");
                    write.Fail(error);
                }
            }

            transaction.Commit();
        }

        foreach (var write in succeeded) write.Succeed();
    }

    private interface IWrite
    {
        CancellationToken CancellationToken { get; }
        Task RunAsync(SqliteTransaction transaction);
        void Succeed();
        void Fail(Exception error);
        void Cancel();
    }

    private sealed class Write<T>(Func<SqliteTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken) : IWrite
    {
        private T _result = default!;

        // Asynchronous continuations: callers must not run their code on the writer loop.
        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken CancellationToken => cancellationToken;

        public async Task RunAsync(SqliteTransaction transaction) => _result = await work(transaction, cancellationToken).ConfigureAwait(false);

        // The result is released only after the commit made it durable.
        public void Succeed() => Completion.TrySetResult(_result);

        public void Fail(Exception error) => Completion.TrySetException(error);

        public void Cancel() => Completion.TrySetCanceled(cancellationToken);
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Persistence.Sqlite;

/// <summary>
/// One database file, shared in a process by the journal and the reminder table (see <see cref="SqliteDatabaseRegistry"/>).
/// SQLite admits one writer at a time, so every write of ours goes through a single write connection fed by a
/// queue (<see cref="SqliteWriteQueue"/>): queueing in process is fair and cheap and allows group commit, where
/// many connections would spin on SQLITE_BUSY. WAL lets pooled read connections run beside that writer, and the
/// busy timeout lets our writer wait for the other writers of the file (Orleans' ADO.NET grain storage) and theirs for it.
/// </summary>
internal sealed class SqliteDatabase : IAsyncDisposable, IDisposable
{
    private const int MaxPooledReaders = 8;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentBag<SqliteConnection> _readers = [];
    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;
    private readonly ILogger _logger;
    private readonly SqliteWriteQueue _writes;
    private volatile SqliteConnection? _writer;
    private volatile bool _disposed;

    /// <summary>A database on the file <paramref name="connectionString"/> names (checked by <see cref="SqliteSettings"/>); nothing is opened yet.</summary>
    public SqliteDatabase(string connectionString, TimeSpan busyTimeout, ILogger logger)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        FilePath = Path.GetFullPath(builder.DataSource);
        builder.DataSource = FilePath;
        // Our own reader pool and writer keep the file handles; disposing this object must close them all.
        builder.Pooling = false;
        builder.DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds));
        _connectionString = builder.ToString();
        _busyTimeoutMs = (int)busyTimeout.TotalMilliseconds;
        _logger = logger;
        _writes = new SqliteWriteQueue(WithWriterAsync);
    }

    /// <summary>Absolute path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>Opens the write connection (creating the file and its directory if missing) and switches the file to WAL, once.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is not null) return;
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await OpenWriterAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the write connection inside a transaction shared with the writes queued
    /// beside it (group commit); completes once that transaction committed. If <paramref name="work"/> throws,
    /// none of its changes are kept and the task fails with its exception.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _writes.EnqueueAsync(work, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="work"/>, a write through a connection of someone else's (Orleans' ADO.NET grain storage),
    /// while holding this file's write lock: it then never meets our writer or another such write inside SQLite,
    /// where the loser would get SQLITE_BUSY and Microsoft.Data.Sqlite would retry it only every 150 ms.
    /// </summary>
    public async Task ExclusiveAsync(Func<Task> work)
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await work().ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> on a pooled read connection (a consistent WAL snapshot per statement).</summary>
    public async Task<T> ReadAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var connection = _readers.TryTake(out var pooled) ? pooled : await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await work(connection, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (_disposed || _readers.Count >= MaxPooledReaders) await connection.DisposeAsync().ConfigureAwait(false);
            else _readers.Add(connection);
        }
    }

    /// <summary>
    /// Awaits <paramref name="operation"/>, turning an engine failure into <see cref="StorageUnavailableException"/> that
    /// says <paramref name="what"/> was attempted (e.g. "read journal 'orders' stream 'l-42'").
    /// </summary>
    public async Task<T> GuardAsync<T>(Task<T> operation, string what)
    {
        try
        {
            return await operation.ConfigureAwait(false);
        }
        catch (Exception e) when (SqliteSettings.IsEngineFailure(e))
        {
            SqliteLog.OperationFailed(_logger, e, FilePath, what);
            throw new StorageUnavailableException($"SQLite database {FilePath} could not {what}: {e.Message}. The operation was not acknowledged.", e);
        }
    }

    /// <summary>Commits the writes already queued, refuses later ones, and closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _writes.CompleteAsync().ConfigureAwait(false);
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            _writer?.Dispose();
            while (_readers.TryTake(out var reader)) reader.Dispose();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task WithWriterAsync(Func<SqliteConnection, Task> batch)
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await batch(await OpenWriterAsync(CancellationToken.None).ConfigureAwait(false)).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<SqliteConnection> OpenWriterAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is { } open) return open;
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // WAL is a property of the file (it persists), unlike the per-connection pragmas set on every open.
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL;";
            var journalMode = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string ?? "?";
            if (string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase)) SqliteLog.DatabaseOpened(_logger, FilePath);
            else SqliteLog.WalUnavailable(_logger, FilePath, journalMode);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _writer = connection;
        return connection;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // synchronous=FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on power loss or an OS crash,
            // and an order is acknowledged only once it is durable. Cost: one WAL fsync per commit, which group commit
            // shares among every write queued meanwhile.
            using var command = connection.CreateCommand();
            command.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA synchronous=FULL; PRAGMA busy_timeout={_busyTimeoutMs};");
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Sqlite.Hosting;

/// <summary>
/// One database file. SQLite admits one writer at a time, so every write goes through a single write
/// connection fed by a queue (<see cref="SqliteWriteQueue"/>): queueing in process is fair and cheap and
/// allows group commit, where many connections would spin on SQLITE_BUSY. WAL lets pooled read connections
/// run beside that writer without blocking it. The write lock only orders opening, batches and closing.
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

    public SqliteDatabase(string dataSource, TimeSpan busyTimeout, ILogger logger)
    {
        FilePath = Path.GetFullPath(dataSource);
        _busyTimeoutMs = (int)busyTimeout.TotalMilliseconds;
        _logger = logger;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Our own reader pool and writer keep the file handles; disposing this object must close them all.
            Pooling = false,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        }.ToString();
        _writes = new SqliteWriteQueue(WithWriterAsync);
    }

    /// <summary>Absolute path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>Opens the file and applies pending schema scripts, once.</summary>
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
    /// beside it (group commit, see <see cref="SqliteWriteQueue"/>); completes once that transaction committed.
    /// If <paramref name="work"/> throws, none of its changes are kept.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _writes.EnqueueAsync(work, cancellationToken);
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
            if (_disposed || _readers.Count >= MaxPooledReaders) connection.Dispose();
            else _readers.Add(connection);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Writes already queued still commit; later ones are refused.
        await _writes.CompleteAsync().ConfigureAwait(false);
        await _writeLock.WaitAsync().ConfigureAwait(false);
        CloseAll();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void CloseAll()
    {
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
            await SqliteSchema.PrepareAsync(connection, FilePath, _logger, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        // Published only after migration, so readers never query a file without its tables.
        _writer = connection;
        return connection;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        // synchronous=FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on power loss or an OS
        // crash, and the runtime acknowledges a purchase only once it is durable. Cost: one WAL fsync per commit,
        // which group commit shares among every write queued meanwhile.
        var pragmas = string.Create(CultureInfo.InvariantCulture, $"PRAGMA synchronous=FULL; PRAGMA busy_timeout={_busyTimeoutMs};");
        await SqliteSchema.ExecuteAsync(connection, pragmas, cancellationToken).ConfigureAwait(false);
        return connection;
    }
}

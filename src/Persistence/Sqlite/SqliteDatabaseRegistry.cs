using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Persistence.Sqlite;

/// <summary>
/// One <see cref="SqliteDatabase"/> per file in a service container: the journal and the reminder table on the same
/// file share its single write connection (two writers of ours would only queue inside SQLite instead). The first
/// user of a file decides its busy timeout. Disposed with the container, which drains the queued writes.
/// </summary>
internal sealed class SqliteDatabaseRegistry(ILoggerFactory loggerFactory) : IAsyncDisposable, IDisposable
{
    // Lazy: a database starts its writer loop when constructed, so a GetOrAdd race must not build two.
    private readonly ConcurrentDictionary<string, Lazy<SqliteDatabase>> _databases = new(StringComparer.Ordinal);

    public SqliteDatabase Get(string connectionString, TimeSpan busyTimeout) =>
        _databases.GetOrAdd(SqliteSettings.FilePath(connectionString), _ => new Lazy<SqliteDatabase>(
            () => new SqliteDatabase(connectionString, busyTimeout, loggerFactory.CreateLogger<SqliteDatabase>()))).Value;

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _databases.Values.Where(d => d.IsValueCreated)) await database.Value.DisposeAsync().ConfigureAwait(false);
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}

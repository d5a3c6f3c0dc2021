using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleaMarket.Runtime.Sqlite.Hosting;

/// <summary>
/// One <see cref="SqliteDatabase"/> per file in a process: storage, journals and reminders on the same
/// file share its single write connection (two writers on one file would only queue in SQLite instead).
/// </summary>
internal sealed class SqliteDatabaseRegistry(ILoggerFactory loggerFactory) : IAsyncDisposable, IDisposable
{
    // Lazy: a database starts its writer loop when constructed, so a GetOrAdd race must not build two.
    private readonly ConcurrentDictionary<string, Lazy<SqliteDatabase>> _databases = new(StringComparer.Ordinal);

    public SqliteDatabase Get(SqliteOptions options) =>
        _databases.GetOrAdd(Path.GetFullPath(options.DataSource), static (path, state) => new Lazy<SqliteDatabase>(
            () => new SqliteDatabase(path, state.BusyTimeout, state.Logger)), (options.BusyTimeout, Logger: loggerFactory.CreateLogger<SqliteDatabase>())).Value;

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _databases.Values.Where(d => d.IsValueCreated)) await database.Value.DisposeAsync().ConfigureAwait(false);
    }

    public void Dispose()
    {
        foreach (var database in _databases.Values.Where(d => d.IsValueCreated)) database.Value.Dispose();
    }
}

/// <summary>A name of SQLite settings registered by an entry point; opened (and migrated) at host start.</summary>
internal sealed record SqliteRegistration(string Name);

/// <summary>Opens every registered database at start, so a bad path or schema stops the host before it serves.</summary>
internal sealed class SqliteStartupService(
    IEnumerable<SqliteRegistration> registrations, IOptionsMonitor<SqliteOptions> options, SqliteDatabaseRegistry registry) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var registration in registrations)
        {
            await registry.Get(options.Get(registration.Name)).InitializeAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

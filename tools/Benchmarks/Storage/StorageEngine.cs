using FleaMarket.Benchmarks.Cluster;
using FleaMarket.Persistence;
using FleaMarket.Persistence.Journals;
using FleaMarket.Persistence.Schema;
using FleaMarket.TestKit.Engines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Storage;

namespace FleaMarket.Benchmarks.Storage;

/// <summary>
/// One engine as a silo gets it: our schema applied with <see cref="DatabaseSchema.ApplyAsync(DatabaseEngine, string, Microsoft.Extensions.Logging.ILogger?, CancellationToken)"/>,
/// then a one-silo Orleans host with Orleans' ADO.NET grain storage and the project's journal registered as
/// src/Silo registers them. PostgreSQL is a throwaway server (the test kit's), SQLite a file in a temp directory.
/// </summary>
internal sealed class StorageEngine : IAsyncDisposable
{
    public const string StorageName = Orleans.Providers.ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME;

    private readonly IHost _silo;
    private readonly IAsyncDisposable? _server;
    private readonly string? _directory;

    private StorageEngine(string name, string description, IHost silo, IAsyncDisposable? server, string? directory)
    {
        Name = name;
        Description = description;
        _silo = silo;
        _server = server;
        _directory = directory;
    }

    public string Name { get; }

    public string Description { get; }

    /// <summary>Orleans' ADO.NET grain storage, the instance the silo initialised (it read its queries from OrleansQuery).</summary>
    public IGrainStorage State => _silo.Services.GetRequiredKeyedService<IGrainStorage>(StorageName);

    public IJournalStorage Journal => _silo.Services.GetRequiredService<IJournalStorage>();

    public static async Task<StorageEngine> StartAsync(string name)
    {
        if (name == "postgresql")
        {
            var server = await PostgreSqlServer.StartNewAsync();
            try
            {
                var connectionString = await server.CreateDatabaseAsync("bench");
                await DatabaseSchema.ApplyAsync(DatabaseEngine.PostgreSql, connectionString);
                var silo = await StartSiloAsync(silo =>
                {
                    silo.AddAdoNetGrainStorageAsDefault(o =>
                    {
                        o.Invariant = "Npgsql";
                        o.ConnectionString = connectionString;
                    });
                    silo.Services.AddPostgreSqlJournal(o => o.ConnectionString = connectionString);
                });
                return new StorageEngine(name, "PostgreSQL 15, throwaway server on loopback (fsync=off, full_page_writes=off), Npgsql pool", silo, server, null);
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }

        var directory = Directory.CreateTempSubdirectory("fm-bench-sqlite-").FullName;
        // As src/Silo's embedded default: one file for grain state and journals.
        var sqlite = $"Data Source={Path.Combine(directory, "fleamarket.db")};Default Timeout=30;Pooling=True";
        await DatabaseSchema.ApplyAsync(DatabaseEngine.Sqlite, sqlite);
        var sqliteSilo = await StartSiloAsync(silo =>
        {
            // As src/Silo: Orleans' ADO.NET storage, its writes taken one at a time through the file's write lock.
            silo.AddSqliteGrainStorageAsDefault(sqlite);
            silo.Services.AddSqliteJournal(o => o.ConnectionString = sqlite);
        });
        return new StorageEngine(name, "SQLite file, WAL, synchronous=FULL; Orleans' storage one write at a time through the file's lock, the journal one writer with group commit", sqliteSilo, null, directory);
    }

    private static async Task<IHost> StartSiloAsync(Action<ISiloBuilder> configure)
    {
        var endpoints = OrleansHosts.Endpoints.Free();
        var silo = OrleansHosts.BuildSilo($"bench-storage-{Guid.NewGuid():N}", "storage", endpoints, endpoints.Silo, configure);
        await silo.StartAsync();
        // The journal opens its database on first use. In src/Silo the reminder table opens the same SQLite database
        // at start, which switches the file to WAL; one append here does that before Orleans' storage writes to it.
        var journal = silo.Services.GetRequiredService<IJournalStorage>();
        await journal.AppendAsync("orders", $"setup-{Guid.NewGuid():N}", 0, [BenchOrder.Sample(0)]);
        return silo;
    }

    public async ValueTask DisposeAsync()
    {
        await _silo.StopAsync();
        _silo.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        if (_directory is not null) Directory.Delete(_directory, recursive: true);
    }
}

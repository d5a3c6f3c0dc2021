using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.PostgreSql;
using FleaMarket.Runtime.Sqlite;
using FleaMarket.TestKit.Engines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Benchmarks.Storage;

/// <summary>
/// One engine's grain storage and journal, registered through the host entry points (AddPostgreSqlGrainStorage,
/// AddSqliteGrainStorage) and prepared by their hosted services, exactly as a silo gets them. PostgreSQL is a
/// throwaway server (the test kit's), SQLite a file in a temp directory.
/// </summary>
internal sealed class StorageEngine : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IAsyncDisposable? _server;
    private readonly string? _directory;

    private StorageEngine(string name, string description, ServiceProvider services, IAsyncDisposable? server, string? directory)
    {
        Name = name;
        Description = description;
        _services = services;
        _server = server;
        _directory = directory;
    }

    public string Name { get; }

    public string Description { get; }

    public IGrainStorage State => _services.GetRequiredKeyedService<IGrainStorage>(GrainStorage.DefaultName);

    public IJournalStorage Journal => _services.GetRequiredKeyedService<IJournalStorage>(GrainStorage.DefaultName);

    public static async Task<StorageEngine> StartAsync(string name)
    {
        if (name == "postgresql")
        {
            var server = await PostgreSqlServer.StartNewAsync();
            var connectionString = await server.CreateDatabaseAsync("bench");
            var services = await BuildAsync(s => s.AddPostgreSqlGrainStorage(configure: o => o.ConnectionString = connectionString));
            return new StorageEngine(name, "PostgreSQL 15, throwaway server (fsync=off, full_page_writes=off), Npgsql pool", services, server, null);
        }

        var directory = Directory.CreateTempSubdirectory("fm-bench-sqlite-").FullName;
        var file = Path.Combine(directory, "bench.db");
        var sqlite = await BuildAsync(s => s.AddSqliteGrainStorage(configure: o => o.DataSource = file));
        return new StorageEngine(name, "SQLite file, WAL, synchronous=FULL, one writer with group commit", sqlite, null, directory);
    }

    private static async Task<ServiceProvider> BuildAsync(Action<IServiceCollection> register)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        register(services);
        var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>()) await hosted.StartAsync(CancellationToken.None);
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_server is not null) await _server.DisposeAsync();
        if (_directory is not null) Directory.Delete(_directory, recursive: true);
    }
}

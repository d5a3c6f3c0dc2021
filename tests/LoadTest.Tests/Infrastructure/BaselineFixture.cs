using FleaMarket.TestKit.Engines;

namespace FleaMarket.LoadTest.Tests.Infrastructure;

/// <summary>The baseline as a process over a throwaway PostgreSQL database, started once for its collection.</summary>
public sealed class BaselineFixture : IAsyncLifetime
{
    private PostgreSqlServer? _postgres;
    private ServerProcess? _baseline;

    public Uri BaseUrl => _baseline?.BaseUrl ?? throw new InvalidOperationException("Not started.");

    internal string Output => _baseline?.Output ?? "";

    public async Task InitializeAsync()
    {
        _postgres = await PostgreSqlServer.StartNewAsync();
        var connectionString = await _postgres.CreateDatabaseAsync("baseline");
        var port = ServerProcess.FreePort();
        _baseline = await ServerProcess.StartAsync(BuildOutput.Dll("tools/Baseline", "FleaMarket.Baseline"), "/health/ready", new Dictionary<string, string>
        {
            ["ConnectionString"] = connectionString,
            ["Urls"] = $"http://127.0.0.1:{port}",
            // Hashing at the production cost would make setup, not purchases, the slow part of these small runs.
            ["PasswordHasher__IterationCount"] = "1000",
            ["Logging__LogLevel__Default"] = "Warning",
        }, port);
    }

    public async Task DisposeAsync()
    {
        if (_baseline is not null) await _baseline.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BaselineCollection : ICollectionFixture<BaselineFixture>
{
    public const string Name = "baseline";
}

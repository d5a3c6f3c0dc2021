namespace FleaMarket.LoadTest.Tests.Infrastructure;

/// <summary>FleaMarket's embedded default (one silo serving the API, SQLite in a temp directory) as a process.</summary>
public sealed class FleaMarketFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fm-loadtest-").FullName;
    private ServerProcess? _silo;

    public Uri BaseUrl => _silo?.BaseUrl ?? throw new InvalidOperationException("Not started.");

    internal string Output => _silo?.Output ?? "";

    public async Task InitializeAsync()
    {
        var port = ServerProcess.FreePort();
        _silo = await ServerProcess.StartAsync(BuildOutput.Dll("src/Silo", "FleaMarket.Silo"), "/health/ready", new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Admin__Urls"] = $"http://127.0.0.1:{ServerProcess.FreePort()}",
            ["Silo__Port"] = "0",
            ["Sqlite__DataSource"] = Path.Combine(_directory, "fm.db"),
            // Every buyer registers and logs in from loopback: the per-address limits would throttle setup.
            ["Api__LoginsPerAddress"] = "100000",
            ["Api__RegistrationsPerAddress"] = "100000",
            ["Api__ReadsPerSecond"] = "100000",
            ["Api__ReadBurst"] = "100000",
            ["Logging__LogLevel__Default"] = "Warning",
        }, port);
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null) await _silo.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class FleaMarketCollection : ICollectionFixture<FleaMarketFixture>
{
    public const string Name = "fleamarket";
}

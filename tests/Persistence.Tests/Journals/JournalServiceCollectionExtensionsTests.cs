using FleaMarket.Persistence.Journals;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace FleaMarket.Persistence.Tests.Journals;

public sealed class JournalServiceCollectionExtensionsTests(SqliteFixture files) : IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task AddPostgreSqlJournal_NoConnectionString_HostFailsAtStartNamingTheSetting()
    {
        var error = await StartFailsAsync(services => services.AddPostgreSqlJournal(_ => { }));
        Assert.Contains("PostgreSqlJournalOptions.ConnectionString is required", error.Message);
    }

    [Fact]
    public async Task AddPostgreSqlJournal_MalformedConnectionStringAndEmptyServiceId_HostFailsNamingBoth()
    {
        var error = await StartFailsAsync(services => services.AddPostgreSqlJournal(o =>
        {
            o.ConnectionString = "Hots=db";
            o.ServiceId = " ";
        }));
        Assert.Contains("PostgreSqlJournalOptions.ConnectionString is not a valid Npgsql connection string", error.Message);
        Assert.Contains("PostgreSqlJournalOptions.ServiceId must not be empty", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=x.db;Mode=Memory")]
    [InlineData("Data Source=x.db;Mode=ReadOnly")]
    [InlineData("Data Sauce=x.db")]
    public async Task AddSqliteJournal_ConnectionStringNotAWritableFile_HostFailsAtStartNamingTheSetting(string connectionString)
    {
        var error = await StartFailsAsync(services => services.AddSqliteJournal(o => o.ConnectionString = connectionString));
        Assert.Contains("SqliteJournalOptions.ConnectionString must be a SQLite connection string naming a database file", error.Message);
    }

    [Fact]
    public async Task AddSqliteJournal_ZeroBusyTimeout_HostFailsAtStartNamingTheSetting()
    {
        var error = await StartFailsAsync(services => services.AddSqliteJournal(o =>
        {
            o.ConnectionString = $"Data Source={files.NewPath()}";
            o.BusyTimeout = TimeSpan.Zero;
        }));
        Assert.Contains("SqliteJournalOptions.BusyTimeout must be greater than zero", error.Message);
    }

    [Fact]
    public void Options_Defaults_AreTheDocumentedOnes()
    {
        Assert.Equal("fleamarket", new PostgreSqlJournalOptions().ServiceId);
        Assert.Null(new PostgreSqlJournalOptions().ConnectionString);
        Assert.Equal("fleamarket", new SqliteJournalOptions().ServiceId);
        Assert.Equal(TimeSpan.FromSeconds(5), new SqliteJournalOptions().BusyTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), new SqliteReminderOptions().BusyTimeout);
    }

    [Fact]
    public async Task AddSqliteJournal_CalledTwice_OneJournalWithTheLaterSettings()
    {
        var path = await files.NewDatabaseAsync("200_journal.sql", "220_journal_tags.sql");
        var services = new ServiceCollection().AddLogging();
        services.AddSqliteJournal(o => o.ConnectionString = "Data Source=ignored.db");
        var validators = services.Count(d => d.ServiceType == typeof(IValidateOptions<SqliteJournalOptions>));
        services.AddSqliteJournal(o => o.ConnectionString = $"Data Source={path}");
        Assert.Equal(validators, services.Count(d => d.ServiceType == typeof(IValidateOptions<SqliteJournalOptions>)));
        Assert.Single(services, d => d.ServiceType == typeof(IJournalStorage));
        Assert.Single(services, d => d.ServiceType == typeof(SqliteJournalStorage));

        await using var provider = services.BuildServiceProvider();
        var journal = provider.GetRequiredService<IJournalStorage>();
        Assert.IsType<SqliteJournalStorage>(journal);
        Assert.Equal(1, await journal.AppendAsync("orders", "s", 0, ["one"]));
        Assert.False(File.Exists("ignored.db"));
    }

    [Fact]
    public void AddJournals_HostRegisteredOneFirst_KeepsIt()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddInMemoryJournal();
        services.AddSqliteJournal(o => o.ConnectionString = $"Data Source={files.NewPath()}");
        services.AddPostgreSqlJournal(o => o.ConnectionString = "Host=127.0.0.1");
        using var provider = services.BuildServiceProvider();
        Assert.IsType<InMemoryJournalStorage>(provider.GetRequiredService<IJournalStorage>());
    }

    [Fact]
    public void AddInMemoryJournal_TwoContainersWithOneServiceId_ShareTheJournalsOtherServiceIdsDoNot()
    {
        var serviceId = Guid.NewGuid().ToString("N");
        IJournalStorage Journal(string id)
        {
            var services = new ServiceCollection().AddInMemoryJournal();
            services.Configure<ClusterOptions>(o => o.ServiceId = id);
            return services.BuildServiceProvider().GetRequiredService<IJournalStorage>();
        }

        Assert.Same(Journal(serviceId), Journal(serviceId));
        Assert.NotSame(Journal(serviceId), Journal(serviceId + "-other"));
    }

    [Fact]
    public async Task AddSqliteJournal_ContainerDisposedWithAppendsQueued_CommitsThemFirst()
    {
        var path = await files.NewDatabaseAsync("200_journal.sql", "220_journal_tags.sql");
        var services = new ServiceCollection().AddLogging().AddSqliteJournal(o => o.ConnectionString = $"Data Source={path}");
        var provider = services.BuildServiceProvider();
        var journal = provider.GetRequiredService<IJournalStorage>();
        var appends = Enumerable.Range(0, 100).Select(i => journal.AppendAsync("orders", $"s{i}", 0, [i])).ToList();

        await provider.DisposeAsync();

        Assert.All(await Task.WhenAll(appends), l => Assert.Equal(1, l));
        var reopened = new SqliteJournalStorage(files.Open(path), "fleamarket");
        for (var i = 0; i < 100; i++) Assert.Equal(1, await reopened.GetLengthAsync("orders", $"s{i}"));
    }

    private static async Task<OptionsValidationException> StartFailsAsync(Action<IServiceCollection> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        configure(builder.Services);
        using var host = builder.Build();
        return await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
    }
}

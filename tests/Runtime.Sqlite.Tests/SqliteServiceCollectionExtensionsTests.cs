using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.Reminders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FleaMarket.Runtime.Sqlite.Tests;

public sealed class SqliteServiceCollectionExtensionsTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    private HostApplicationBuilder NewBuilder(string? dataSource = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["Sqlite:DataSource"] = dataSource ?? fixture.NewPath();
        return builder;
    }

    [Fact]
    public async Task AddSqliteGrainStorage_HostStarts_StorageJournalAndRemindersShareOneFile()
    {
        var builder = NewBuilder();
        builder.Services.AddSingleton<IReminderTable, InMemoryReminderTable>();
        builder.Services.AddSqliteGrainStorage().AddSqliteGrainStorage().AddSqliteReminders();
        using var host = builder.Build();
        await host.StartAsync();

        var grain = GrainId.FromGuid("listing", Guid.NewGuid());
        var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(GrainStorage.DefaultName);
        var journal = host.Services.GetRequiredKeyedService<IJournalStorage>(GrainStorage.DefaultName);
        var reminders = host.Services.GetRequiredService<IReminderTable>();
        Assert.DoesNotContain(host.Services.GetServices<IReminderTable>(), t => t is InMemoryReminderTable);
        await storage.WriteStateAsync("s", grain, new CounterState(), CancellationToken.None);
        await journal.AppendAsync("orders", grain, 0, ["one"]);
        await reminders.UpsertAsync(new ReminderEntry(grain, "open", DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(1)));
        Assert.True(File.Exists(builder.Configuration["Sqlite:DataSource"]));
        await host.StopAsync();
    }

    [Fact]
    public void AddSqliteGrainStorage_ConfigureDelegate_OverridesConfigurationForThatNameOnly()
    {
        var builder = NewBuilder();
        builder.Services.AddSqliteGrainStorage("orders", o => o.ServiceId = "market-7").AddSqliteGrainStorage();
        using var host = builder.Build();
        var options = host.Services.GetRequiredService<IOptionsMonitor<SqliteOptions>>();
        Assert.Equal("market-7", options.Get("orders").ServiceId);
        Assert.Equal("fleamarket", options.Get(GrainStorage.DefaultName).ServiceId);
        Assert.Equal(1024 * 1024, options.Get(GrainStorage.DefaultName).MaxStateBytes);
    }

    [Theory]
    [InlineData("MaxStateBytes", "0")]
    [InlineData("ServiceId", " ")]
    [InlineData("DataSource", ":memory:")]
    [InlineData("BusyTimeout", "00:00:00")]
    public async Task Start_InvalidSetting_FailsNamingTheSetting(string setting, string value)
    {
        var builder = NewBuilder();
        builder.Configuration[$"Sqlite:{setting}"] = value;
        builder.Services.AddSqliteGrainStorage();
        using var host = builder.Build();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        Assert.Contains($"Sqlite:{setting}", error.ToString(), StringComparison.Ordinal);
    }

    private sealed class CounterState : IGrainState<int>
    {
        public int State { get; set; }
        public string? ETag { get; set; }
        public bool RecordExists { get; set; }
    }
}

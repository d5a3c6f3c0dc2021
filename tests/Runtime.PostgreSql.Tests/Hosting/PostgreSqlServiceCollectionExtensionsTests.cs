using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Persistence;
using FleaMarket.Runtime.Reminders;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FleaMarket.Runtime.PostgreSql.Tests.Hosting;

[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlServiceCollectionExtensionsTests(PostgreSqlFixture fixture)
{
    [Fact]
    public async Task StartAsync_NoConnectionString_FailsNamingTheSetting()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddPostgreSqlGrainStorage();
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        Assert.Contains("PostgreSql:ConnectionString", error.Message);
    }

    [Fact]
    public async Task StartAsync_ProvidersFromConfiguration_ShareOneDatabaseAndWork()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PostgreSql:ConnectionString"] = fixture.ConnectionString,
            ["PostgreSql:ClusterId"] = $"cluster-{Guid.NewGuid():N}",
        });
        builder.Services.AddSingleton<IReminderTable, InMemoryReminderTable>();
        builder.Services
            .AddPostgreSqlMembership()
            .AddPostgreSqlGrainStorage()
            .AddPostgreSqlGrainStorage("archive", o => o.ServiceId = "hosted")
            .AddPostgreSqlReminders()
            .AddPostgreSqlReminders();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var options = host.Services.GetRequiredService<IOptions<PostgreSqlOptions>>().Value;
            Assert.Equal("hosted", options.ServiceId);
            Assert.Equal(0, (await host.Services.GetRequiredService<IMembershipTable>().ReadAllAsync()).Version);
            Assert.NotNull(host.Services.GetRequiredKeyedService<IJournalStorage>("archive"));
            Assert.NotNull(host.Services.GetRequiredKeyedService<IJournalStorage>(GrainStorage.DefaultName));
            Assert.IsNotType<InMemoryReminderTable>(host.Services.GetRequiredService<IReminderTable>());
            Assert.Single(host.Services.GetServices<IReminderTable>());

            var state = new TestKit.Persistence.GrainStorageConformanceTests.TestGrainState();
            var storage = host.Services.GetRequiredKeyedService<IGrainStorage>(GrainStorage.DefaultName);
            await storage.WriteStateAsync("s", GrainId.FromString("hosted", Guid.NewGuid().ToString("N")), state, CancellationToken.None);
            Assert.Equal("1", state.ETag);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}

using System.Net;
using FleaMarket.Persistence.Schema;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;

namespace FleaMarket.Persistence.Tests.Schema;

/// <summary>
/// Orleans' ADO.NET membership table and gateway list, driven directly, on the cases a healthy silo never hits:
/// stale versions, a duplicate insert, an update of a missing row, cleanup of dead rows only.
/// </summary>
[Collection(PostgreSqlSchemaCollection.Name)]
public sealed class PostgreSqlMembershipTableTests(PostgreSqlServerFixture postgres)
{
    [Fact]
    public async Task MembershipTable_VersionCompareAndSwap_RejectsStaleAndDuplicateWritesWithoutMovingTheVersion()
    {
        var (table, _) = await NewClusterAsync();
        var initial = (await table.ReadAllAsync()).Version;
        var silo = Entry(generation: 1, SiloStatus.Active);

        Assert.True(await table.InsertRowAsync(silo, initial.Next()));
        Assert.False(await table.InsertRowAsync(Entry(generation: 2, SiloStatus.Active), initial.Next()));
        var afterInsert = (await table.ReadAllAsync()).Version;
        Assert.False(await table.InsertRowAsync(silo, afterInsert.Next()));
        Assert.False(await table.UpdateRowAsync(Entry(generation: 3, SiloStatus.Dead), afterInsert.VersionEtag, afterInsert.Next()));

        Assert.Equal(initial.Version + 1, afterInsert.Version);
        Assert.Equal(afterInsert.Version, (await table.ReadAllAsync()).Version.Version);
    }

    [Fact]
    public async Task MembershipTable_UpdatedRow_IsReadBackWithStatusSuspicionsAndTimes()
    {
        var (table, _) = await NewClusterAsync();
        var silo = Entry(generation: 1, SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(silo, (await table.ReadAllAsync()).Version.Next()));
        var version = (await table.ReadAllAsync()).Version;

        silo.Status = SiloStatus.ShuttingDown;
        silo.AddOrUpdateSuspector(SiloAddress.New(IPAddress.Loopback, 11, 7), Now(), maxVotes: 2);
        silo.IAmAliveTime = Now().AddSeconds(5);
        Assert.True(await table.UpdateRowAsync(silo, version.VersionEtag, version.Next()));
        Assert.False(await table.UpdateRowAsync(silo, version.VersionEtag, version.Next()));
        await table.UpdateIAmAliveAsync(new MembershipEntry { SiloAddress = silo.SiloAddress, IAmAliveTime = silo.IAmAliveTime.AddSeconds(5) });

        var (read, _) = Assert.Single((await table.ReadRowAsync(silo.SiloAddress)).Members);
        Assert.Equal(silo.SiloAddress, read.SiloAddress);
        Assert.Equal(SiloStatus.ShuttingDown, read.Status);
        Assert.Equal(silo.SuspectTimes, read.SuspectTimes);
        Assert.Equal(silo.StartTime, read.StartTime);
        Assert.Equal(silo.IAmAliveTime.AddSeconds(5), read.IAmAliveTime);
        Assert.Equal((silo.SiloName, silo.HostName, silo.ProxyPort), (read.SiloName, read.HostName, read.ProxyPort));
    }

    [Fact]
    public async Task GatewaysAndCleanup_ActiveAndDeadSilos_ListOnlyActiveGatewaysAndDeleteOnlyDeadRows()
    {
        var (table, gateways) = await NewClusterAsync();
        var active = Entry(generation: 1, SiloStatus.Active);
        var dead = Entry(generation: 2, SiloStatus.Dead);
        Assert.True(await table.InsertRowAsync(active, (await table.ReadAllAsync()).Version.Next()));
        Assert.True(await table.InsertRowAsync(dead, (await table.ReadAllAsync()).Version.Next()));

        var gateway = Assert.Single(await gateways.GetGatewaysAsync());
        await table.CleanupDefunctSiloEntriesAsync(DateTimeOffset.UtcNow.AddMinutes(1));

        Assert.Equal(active.ProxyPort, gateway.Port);
        var (remaining, _) = Assert.Single((await table.ReadAllAsync()).Members);
        Assert.Equal(active.SiloAddress, remaining.SiloAddress);
    }

    private async Task<(AdoNetClusteringTable Table, AdoNetGatewayListProvider Gateways)> NewClusterAsync()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await DatabaseSchema.ApplyAsync(DatabaseEngine.PostgreSql, connectionString);
        var cluster = Options.Create(new ClusterOptions { ClusterId = $"cluster-{Guid.NewGuid():N}", ServiceId = "schema-tests" });
        var services = new ServiceCollection().BuildServiceProvider();

        var table = new AdoNetClusteringTable(
            services,
            cluster,
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = PostgreSqlTestSilo.Invariant, ConnectionString = connectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);

        var gateways = new AdoNetGatewayListProvider(
            NullLogger<AdoNetGatewayListProvider>.Instance,
            services,
            Options.Create(new AdoNetClusteringClientOptions { Invariant = PostgreSqlTestSilo.Invariant, ConnectionString = connectionString }),
            Options.Create(new GatewayOptions()),
            cluster);
        await gateways.InitializeGatewayListProviderAsync();
        return (table, gateways);
    }

    private static MembershipEntry Entry(int generation, SiloStatus status) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Loopback, 20_000 + generation, generation),
        SiloName = $"silo-{generation}",
        HostName = "schema-tests",
        Status = status,
        ProxyPort = 30_000 + generation,
        StartTime = Now(),
        IAmAliveTime = Now(),
    };

    // Whole milliseconds: Orleans prints suspicion times with millisecond precision.
    private static DateTime Now()
    {
        var now = DateTime.UtcNow;
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }
}

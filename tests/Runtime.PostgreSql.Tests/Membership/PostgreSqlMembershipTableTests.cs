using FleaMarket.TestKit.Membership;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.PostgreSql.Membership;

namespace FleaMarket.Runtime.PostgreSql.Tests.Membership;

/// <summary>The membership contract on PostgreSQL; a fresh cluster id gives every test an empty table in the shared database.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class PostgreSqlMembershipTableTests(PostgreSqlFixture fixture) : MembershipTableConformanceTests
{
    protected override Task<IMembershipTable> CreateTableAsync() =>
        Task.FromResult<IMembershipTable>(new PostgreSqlMembershipTable(fixture.Database, $"cluster-{Guid.NewGuid():N}"));

    [Fact]
    public async Task TryInsert_TwoClustersInOneDatabase_HaveIndependentVersionsAndRows()
    {
        var a = new PostgreSqlMembershipTable(fixture.Database, $"cluster-{Guid.NewGuid():N}");
        var b = new PostgreSqlMembershipTable(fixture.Database, $"cluster-{Guid.NewGuid():N}");
        var now = DateTimeOffset.UtcNow;
        var silo = new SiloAddress("127.0.0.1", 30000, 1);
        var entry = new MembershipEntry(silo, SiloStatus.Joining, "a", now, now);

        Assert.True(await a.TryInsertAsync(entry, 1));
        Assert.True(await b.TryInsertAsync(entry with { SiloName = "b" }, 1));
        Assert.True(await a.TryUpdateAsync(entry with { Status = SiloStatus.Active }, 2));

        var snapshotB = await b.ReadAllAsync();
        Assert.Equal(1, snapshotB.Version);
        Assert.Equal(SiloStatus.Joining, Assert.Single(snapshotB.Entries).Status);
        Assert.Equal(2, (await a.ReadAllAsync()).Version);
    }
}

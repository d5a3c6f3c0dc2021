using FleaMarket.TestKit.Membership;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Redis.Membership;
using FleaMarket.Runtime.Redis.Resp;

namespace FleaMarket.Runtime.Redis.Tests.Membership;

/// <summary>The membership conformance suite against a real redis-server, plus what is specific to Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisMembershipTableTests(RedisServerFixture fixture) : MembershipTableConformanceTests
{
    private static readonly DateTimeOffset s_now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    protected override Task<IMembershipTable> CreateTableAsync() => Task.FromResult<IMembershipTable>(NewTable());

    [Fact]
    public async Task TryInsert_Row_StoredAsJsonFieldOfTheClusterHash()
    {
        var table = NewTable();
        var entry = new MembershipEntry(new SiloAddress("127.0.0.1", 1234, 5), SiloStatus.Joining, "silo-a", s_now, s_now);

        Assert.True(await table.TryInsertAsync(entry, 1));

        Assert.Equal("1", await fixture.Connection.HashGetAsync(table.Key, "version"));
        var json = await fixture.Connection.HashGetAsync(table.Key, entry.Silo.ToString());
        Assert.Contains("\"alive\":\"2026-01-01T12:00:00.0000000Z\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateIAmAlive_NameLooksLikeTheTimeField_ChangesOnlyTheTime()
    {
        var table = NewTable();
        var tricky = "\"alive\":\"1999-01-01T00:00:00.0000000Z\" % \\";
        var entry = new MembershipEntry(new SiloAddress("127.0.0.1", 1, long.MaxValue), SiloStatus.Active, tricky, s_now, s_now);
        Assert.True(await table.TryInsertAsync(entry, 1));
        var later = s_now.AddTicks(1234567);

        await table.UpdateIAmAliveAsync(entry.Silo, later);

        var row = Assert.Single((await table.ReadAllAsync()).Entries);
        Assert.Equal(tricky, row.SiloName);
        Assert.Equal(later, row.IAmAliveTime);
        Assert.Equal(entry.Silo, row.Silo);
    }

    [Fact]
    public async Task UpdateIAmAlive_AfterConcurrentStatusChange_KeepsTheNewStatus()
    {
        var table = NewTable();
        var entry = new MembershipEntry(new SiloAddress("127.0.0.1", 2, 7), SiloStatus.Active, "silo", s_now, s_now);
        Assert.True(await table.TryInsertAsync(entry, 1));
        Assert.True(await table.TryUpdateAsync(entry with { Status = SiloStatus.Dead }, 2));

        await table.UpdateIAmAliveAsync(entry.Silo, s_now.AddMinutes(1));

        var snapshot = await table.ReadAllAsync();
        Assert.Equal(2, snapshot.Version);
        Assert.Equal(SiloStatus.Dead, snapshot.Find(entry.Silo)?.Status);
    }

    [Fact]
    public async Task ReadAll_NonUtcTimes_ReadBackAsTheSameInstants()
    {
        var table = NewTable();
        var start = new DateTimeOffset(2026, 3, 1, 9, 30, 0, TimeSpan.FromHours(-5)).AddTicks(1);
        var entry = new MembershipEntry(new SiloAddress("127.0.0.1", 3, 9), SiloStatus.Joining, "silo", start, start);
        Assert.True(await table.TryInsertAsync(entry, 1));

        var row = Assert.Single((await table.ReadAllAsync()).Entries);

        Assert.Equal(start, row.StartTime);
        Assert.Equal(start, row.IAmAliveTime);
    }

    private RedisMembershipTable NewTable() => new(fixture.Connection, $"conformance-{Guid.NewGuid():N}");
}

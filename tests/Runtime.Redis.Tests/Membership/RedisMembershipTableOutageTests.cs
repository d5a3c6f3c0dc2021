using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Redis.Membership;
using FleaMarket.Runtime.Redis.Resp;
using FleaMarket.TestKit.Engines;

namespace FleaMarket.Runtime.Redis.Tests.Membership;

/// <summary>The table while its redis-server is down and after it is back (own server: the test stops it).</summary>
public sealed class RedisMembershipTableOutageTests
{
    private static readonly DateTimeOffset s_now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task TableCalls_ServerDown_FailWithConnectionExceptionAndWorkAgainAfterRestart()
    {
        await using var server = await RedisServer.StartNewAsync();
        await using var redis = new RedisConnection(new RedisOptions
        {
            Endpoint = server.Endpoint,
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
            CommandTimeout = TimeSpan.FromSeconds(1),
            MaxReconnectBackoff = TimeSpan.FromMilliseconds(100),
        });
        var table = new RedisMembershipTable(redis, "outage");
        var first = Entry(1);
        Assert.True(await table.TryInsertAsync(first, 1));

        await server.StopAsync();
        await Eventually.WaitUntilAsync(() => Task.FromResult(!redis.IsConnected), "the client notices the drop");

        await Assert.ThrowsAsync<RedisConnectionException>(() => table.ReadAllAsync());
        await Assert.ThrowsAsync<RedisConnectionException>(() => table.TryUpdateAsync(first with { Status = SiloStatus.Active }, 2));
        await Assert.ThrowsAsync<RedisConnectionException>(() => table.UpdateIAmAliveAsync(first.Silo, s_now));

        // The restarted server has no data (no persistence) and an empty script cache: EVALSHA must recover.
        await server.StartAsync();
        await Eventually.WaitUntilAsync(() => Task.FromResult(redis.IsConnected), "the client reconnects");
        Assert.Equal(0, (await table.ReadAllAsync()).Version);
        Assert.True(await table.TryInsertAsync(first, 1));
        await table.UpdateIAmAliveAsync(first.Silo, s_now.AddMinutes(1));
        Assert.Equal(s_now.AddMinutes(1), Assert.Single((await table.ReadAllAsync()).Entries).IAmAliveTime);
    }

    private static MembershipEntry Entry(int port) =>
        new(new SiloAddress("127.0.0.1", port, 1), SiloStatus.Joining, $"silo-{port}", s_now, s_now);
}

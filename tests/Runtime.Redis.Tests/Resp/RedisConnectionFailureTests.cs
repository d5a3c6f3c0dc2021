using FleaMarket.Runtime.Redis.Resp;
using FleaMarket.TestKit.Engines;

namespace FleaMarket.Runtime.Redis.Tests.Resp;

/// <summary>Timeouts, outages and restarts. Tests that stop the server start their own.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisConnectionFailureTests(RedisServerFixture fixture)
{
    private static readonly TimeSpan s_shortBackoff = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task ExecuteAsync_NoReplyWithinCommandTimeout_ThrowsTimeoutAndLaterRepliesStayMatched()
    {
        var key = RedisServerFixture.NewKey("blocked");
        await using var redis = new RedisConnection(new RedisOptions { Endpoint = fixture.Server.Endpoint, CommandTimeout = TimeSpan.FromMilliseconds(200) });

        var error = await Assert.ThrowsAsync<RedisTimeoutException>(() => redis.ExecuteAsync("BLPOP", key, 0));
        await fixture.Connection.ExecuteAsync("LPUSH", key, "unblock");

        // The late BLPOP reply goes to the abandoned command, not to this PING.
        Assert.Contains("BLPOP", error.Message, StringComparison.Ordinal);
        Assert.Equal("PONG", await redis.PingAsync());
    }

    [Fact]
    public async Task ExecuteAsync_ServerRestarted_ReconnectsAndNextCommandsSucceed()
    {
        await using var server = await RedisServer.StartNewAsync();
        await using var redis = new RedisConnection(new RedisOptions { Endpoint = server.Endpoint, MaxReconnectBackoff = s_shortBackoff });
        Assert.Equal("PONG", await redis.PingAsync());

        await server.StopAsync();
        await Eventually.WaitUntilAsync(() => Task.FromResult(!redis.IsConnected), "the client notices the drop");
        await server.StartAsync();

        // Issued before the client reconnected: they wait for the new connection.
        Assert.Equal("OK", (await redis.ExecuteAsync("SET", "after-restart", "v")).AsString());
        Assert.Equal("v", (await redis.ExecuteAsync("GET", "after-restart")).AsString());
    }

    [Fact]
    public async Task ExecuteAsync_ServerStopsWithCommandsInFlight_FailsThemWithRetriableException()
    {
        await using var server = await RedisServer.StartNewAsync();
        await using var redis = new RedisConnection(new RedisOptions { Endpoint = server.Endpoint, MaxReconnectBackoff = s_shortBackoff });
        await using var observer = new RedisConnection(new RedisOptions { Endpoint = server.Endpoint });
        var blocked = redis.ExecuteAsync("BLPOP", "never-pushed", 0);
        var queuedBehind = redis.ExecuteAsync("PING");
        await Eventually.WaitUntilAsync(
            async () => (await observer.ExecuteAsync("INFO", "clients")).AsString()!.Contains("blocked_clients:1", StringComparison.Ordinal),
            "the BLPOP blocks on the server");

        await server.StopAsync();

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => blocked);
        await Assert.ThrowsAsync<RedisConnectionException>(() => queuedBehind);
        Assert.Contains("in flight", error.Message, StringComparison.Ordinal);
        await server.StartAsync();
        Assert.Equal("PONG", await redis.PingAsync());
    }

    [Fact]
    public async Task ExecuteAsync_ServerDownLongerThanConnectTimeout_ThrowsConnectionExceptionThenRecovers()
    {
        await using var server = await RedisServer.StartNewAsync();
        await using var redis = new RedisConnection(new RedisOptions
        {
            Endpoint = server.Endpoint,
            ConnectTimeout = TimeSpan.FromMilliseconds(300),
            CommandTimeout = TimeSpan.FromSeconds(1),
            MaxReconnectBackoff = s_shortBackoff,
        });
        Assert.Equal("PONG", await redis.PingAsync());
        await server.StopAsync();
        await Eventually.WaitUntilAsync(() => Task.FromResult(!redis.IsConnected), "the client notices the drop");

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => redis.PingAsync());
        await server.StartAsync();

        Assert.Contains($"No connection to Redis at {server.Endpoint}", error.Message, StringComparison.Ordinal);
        Assert.Contains("not sent", error.Message, StringComparison.Ordinal);
        await Eventually.WaitUntilAsync(() => Task.FromResult(redis.IsConnected), "the client reconnects");
        Assert.Equal("PONG", await redis.PingAsync());
    }

    [Fact]
    public async Task ExecuteAsync_Cancelled_ThrowsOperationCanceled()
    {
        await using var redis = new RedisConnection(new RedisOptions { Endpoint = fixture.Server.Endpoint });
        using var cancel = new CancellationTokenSource();
        var blocked = redis.ExecuteAsync(["BLPOP", RedisServerFixture.NewKey("cancel"), "0.2"], cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);
        Assert.Equal("PONG", await redis.PingAsync());
    }
}

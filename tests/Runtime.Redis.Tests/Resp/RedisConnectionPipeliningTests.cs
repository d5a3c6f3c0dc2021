using FleaMarket.Runtime.Redis.Resp;

namespace FleaMarket.Runtime.Redis.Tests.Resp;

/// <summary>Many commands in flight on one connection: replies must reach their own callers, in order.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisConnectionPipeliningTests(RedisServerFixture fixture)
{
    private readonly RedisConnection _redis = fixture.Connection;

    [Fact]
    public async Task ExecuteAsync_TenThousandPipelinedCommands_RepliesMatchInOrder()
    {
        var key = RedisServerFixture.NewKey("pipelined");

        var replies = Enumerable.Range(0, 10_000).Select(_ => _redis.ExecuteAsync("INCR", key)).ToList();
        var results = await Task.WhenAll(replies);

        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => (long)i), results.Select(r => r.Integer));
    }

    [Fact]
    public async Task ExecuteAsync_CommandsIssuedBeforeTheFirstConnect_KeepTheirOrder()
    {
        var key = RedisServerFixture.NewKey("early");
        await using var fresh = new RedisConnection(new RedisOptions { Endpoint = fixture.Server.Endpoint });

        var results = await Task.WhenAll(Enumerable.Range(0, 1_000).Select(_ => fresh.ExecuteAsync("INCR", key)));

        Assert.Equal(Enumerable.Range(1, 1_000).Select(i => (long)i), results.Select(r => r.Integer));
    }

    [Fact]
    public async Task ExecuteAsync_ConcurrentCallersOnManyThreads_EachGetsItsOwnReply()
    {
        var prefix = RedisServerFixture.NewKey("threads");
        var callers = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            await _redis.ExecuteAsync("SET", $"{prefix}:{i}", i);
            return (await _redis.ExecuteAsync("GET", $"{prefix}:{i}")).AsInt64();
        }));

        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), await Task.WhenAll(callers));
    }
}

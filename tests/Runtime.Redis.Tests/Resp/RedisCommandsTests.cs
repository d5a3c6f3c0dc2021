using FleaMarket.Runtime.Redis.Resp;

namespace FleaMarket.Runtime.Redis.Tests.Resp;

[Collection(RedisCollection.Name)]
public sealed class RedisCommandsTests(RedisServerFixture fixture)
{
    private readonly RedisConnection _redis = fixture.Connection;

    [Fact]
    public async Task HashCommands_SetGetGetAllDelete_WorkTogether()
    {
        var key = RedisServerFixture.NewKey("hash");

        Assert.True(await _redis.HashSetAsync(key, "a", "1"));
        Assert.False(await _redis.HashSetAsync(key, "a", "2"));
        Assert.True(await _redis.HashSetAsync(key, "b", 3));

        Assert.Equal("2", await _redis.HashGetAsync(key, "a"));
        Assert.Null(await _redis.HashGetAsync(key, "zzz"));
        Assert.Equal([new("a", "2"), new("b", "3")], (await _redis.HashGetAllAsync(key)).OrderBy(p => p.Key));
        Assert.Equal(1, await _redis.HashDeleteAsync(key, "a"));
        Assert.True(await _redis.DeleteAsync(key));
        Assert.Empty(await _redis.HashGetAllAsync(key));
    }

    [Fact]
    public async Task ExpireAsync_ExistingKey_SetsTimeToLive()
    {
        var key = RedisServerFixture.NewKey("ttl");
        await _redis.ExecuteAsync("SET", key, "v");

        Assert.True(await _redis.ExpireAsync(key, TimeSpan.FromMinutes(1)));
        Assert.False(await _redis.ExpireAsync(RedisServerFixture.NewKey("none"), TimeSpan.FromMinutes(1)));
        Assert.InRange((await _redis.ExecuteAsync("PTTL", key)).Integer, 1, 60_000);
    }

    [Fact]
    public async Task EvaluateAsync_ScriptCacheFlushed_FallsBackToEvalAndRuns()
    {
        var script = new RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
        var key = RedisServerFixture.NewKey("script");
        Assert.Equal(2, (await _redis.EvaluateAsync(script, [key], [2])).Integer);

        await _redis.ExecuteAsync("SCRIPT", "FLUSH");

        Assert.Equal(5, (await _redis.EvaluateAsync(script, [key], [3])).Integer);
        Assert.Equal(6, (await _redis.EvaluateAsync(script, [key], [1])).Integer);
    }

    [Fact]
    public async Task EvaluateAsync_ScriptRaisesError_ThrowsServerExceptionWithText()
    {
        var script = new RedisScript("return redis.error_reply('MYCODE something broke')");

        var error = await Assert.ThrowsAsync<RedisServerException>(() => _redis.EvaluateAsync(script, [], []));

        Assert.Equal("MYCODE", error.ErrorCode);
        Assert.Contains("something broke", error.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_UnknownScriptSha_ThrowsNoScript()
    {
        var error = await Assert.ThrowsAsync<RedisServerException>(() => _redis.ExecuteAsync("EVALSHA", new string('0', 40), 0));

        Assert.Equal("NOSCRIPT", error.ErrorCode);
    }

    [Fact]
    public async Task Connection_DatabaseOption_SelectsThatDatabase()
    {
        var key = RedisServerFixture.NewKey("select");
        await using var database3 = new RedisConnection(new RedisOptions { Endpoint = fixture.Server.Endpoint, Database = 3 });

        await database3.ExecuteAsync("SET", key, "in 3");

        Assert.Equal("in 3", (await database3.ExecuteAsync("GET", key)).AsString());
        Assert.True((await _redis.ExecuteAsync("GET", key)).IsNil);
        Assert.Equal("in 3", (await _redis.ExecuteAsync(["EVAL", "redis.call('SELECT', 3) return redis.call('GET', KEYS[1])", 1, key], default)).AsString());
    }
}

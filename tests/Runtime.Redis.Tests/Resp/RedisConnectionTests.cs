using FleaMarket.Runtime.Redis.Resp;

namespace FleaMarket.Runtime.Redis.Tests.Resp;

[Collection(RedisCollection.Name)]
public sealed class RedisConnectionTests(RedisServerFixture fixture)
{
    private readonly RedisConnection _redis = fixture.Connection;

    [Fact]
    public async Task ExecuteAsync_SimpleStringReply_ReturnsText()
    {
        var reply = await _redis.ExecuteAsync("SET", RedisServerFixture.NewKey("simple"), "v");

        Assert.Equal(RedisReplyKind.SimpleString, reply.Kind);
        Assert.Equal("OK", reply.AsString());
        Assert.Equal("PONG", await _redis.PingAsync());
    }

    [Fact]
    public async Task ExecuteAsync_BulkStringWithCrLfAndUnicode_RoundTripsBinarySafe()
    {
        var key = RedisServerFixture.NewKey("bulk");
        const string value = "héllo\r\nwörld $5\r\n*1";
        await _redis.ExecuteAsync("SET", key, value);

        var reply = await _redis.ExecuteAsync("GET", key);

        Assert.Equal(RedisReplyKind.BulkString, reply.Kind);
        Assert.Equal(value, reply.AsString());
    }

    [Fact]
    public async Task ExecuteAsync_LargeBulkString_RoundTrips()
    {
        var key = RedisServerFixture.NewKey("large");
        var value = new byte[3 * 1024 * 1024];
        Random.Shared.NextBytes(value);
        await _redis.ExecuteAsync("SET", key, value);

        var reply = await _redis.ExecuteAsync("GET", key);

        Assert.True(value.AsSpan().SequenceEqual(reply.Bytes!.Value.Span));
    }

    [Fact]
    public async Task ExecuteAsync_MissingKey_ReturnsNilBulkString()
    {
        var reply = await _redis.ExecuteAsync("GET", RedisServerFixture.NewKey("missing"));

        Assert.Equal(RedisReplyKind.BulkString, reply.Kind);
        Assert.True(reply.IsNil);
        Assert.Null(reply.AsString());
    }

    [Fact]
    public async Task ExecuteAsync_IntegerReply_ReturnsValue()
    {
        var reply = await _redis.ExecuteAsync("INCRBY", RedisServerFixture.NewKey("int"), -42);

        Assert.Equal(RedisReplyKind.Integer, reply.Kind);
        Assert.Equal(-42, reply.Integer);
    }

    [Fact]
    public async Task ExecuteAsync_ArrayReply_ReturnsElementsInOrder()
    {
        var key = RedisServerFixture.NewKey("list");
        await _redis.ExecuteAsync("RPUSH", key, "a", "b", "c");

        var reply = await _redis.ExecuteAsync("LRANGE", key, 0, -1);
        var empty = await _redis.ExecuteAsync("LRANGE", RedisServerFixture.NewKey("none"), 0, -1);

        Assert.Equal(["a", "b", "c"], reply.Items.Select(i => i.AsString()));
        Assert.Equal(RedisReplyKind.Array, empty.Kind);
        Assert.Empty(empty.Items);
        Assert.False(empty.IsNil);
    }

    [Fact]
    public async Task ExecuteAsync_BlockingPopTimesOut_ReturnsNilArray()
    {
        var reply = await _redis.ExecuteAsync("BLPOP", RedisServerFixture.NewKey("empty"), "0.01");

        Assert.Equal(RedisReplyKind.Array, reply.Kind);
        Assert.True(reply.IsNil);
    }

    [Fact]
    public async Task ExecuteAsync_NestedArrayReply_ReturnsTree()
    {
        var reply = await _redis.ExecuteAsync("EVAL", "return {1, {'a', {2, 'b'}}, 'c'}", 0);

        Assert.Equal("[1, [a, [2, b]], c]", reply.ToString());
        Assert.Equal(2, reply.Items[1].Items[1].Items[0].Integer);
    }

    [Fact]
    public async Task ExecuteAsync_ErrorReply_ThrowsServerExceptionWithServerText()
    {
        var key = RedisServerFixture.NewKey("wrongtype");
        await _redis.ExecuteAsync("SET", key, "v");

        var error = await Assert.ThrowsAsync<RedisServerException>(() => _redis.ExecuteAsync("LPUSH", key, "x"));

        Assert.Equal("WRONGTYPE", error.ErrorCode);
        Assert.Contains("WRONGTYPE Operation against a key holding the wrong kind of value", error.Message, StringComparison.Ordinal);
        Assert.Equal("PONG", await _redis.PingAsync());
    }

    [Fact]
    public async Task ExecuteAsync_BinaryArgument_IsStoredByteForByte()
    {
        var key = RedisServerFixture.NewKey("binary");
        byte[] value = [0, 13, 10, 255, 36];

        await _redis.ExecuteAsync("SET", key, value);

        Assert.Equal(value, (await _redis.ExecuteAsync("GET", key)).Bytes!.Value.ToArray());
    }
}

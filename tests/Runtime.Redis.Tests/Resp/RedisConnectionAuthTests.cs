using FleaMarket.Runtime.Redis.Resp;
using FleaMarket.TestKit.Engines;

namespace FleaMarket.Runtime.Redis.Tests.Resp;

/// <summary>Each test starts its own server, because passwords and users are server-wide.</summary>
public sealed class RedisConnectionAuthTests
{
    [Fact]
    public async Task Connect_RightPassword_Authenticates()
    {
        await using var server = await RedisServer.StartNewAsync(password: "s3cret pass");
        await using var redis = new RedisConnection(new RedisOptions { Endpoint = server.Endpoint, Password = "s3cret pass" });

        Assert.Equal("PONG", await redis.PingAsync());
        Assert.Equal("default", (await redis.ExecuteAsync("ACL", "WHOAMI")).AsString());
    }

    [Fact]
    public async Task Connect_AclUserAndPassword_AuthenticatesAsThatUser()
    {
        await using var server = await RedisServer.StartNewAsync(password: "admin", aclUser: ("membership", "user-pass"));
        await using var redis = new RedisConnection(new RedisOptions { Endpoint = server.Endpoint, User = "membership", Password = "user-pass" });

        Assert.Equal("membership", (await redis.ExecuteAsync("ACL", "WHOAMI")).AsString());
    }

    [Fact]
    public async Task Connect_WrongPassword_FailsNamingTheServerError()
    {
        await using var server = await RedisServer.StartNewAsync(password: "right");
        await using var redis = new RedisConnection(new RedisOptions
        {
            Endpoint = server.Endpoint,
            Password = "wrong",
            // Long enough for the first attempt to be refused even on a loaded machine, so its error is reported.
            ConnectTimeout = TimeSpan.FromSeconds(2),
        });

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => redis.PingAsync());

        Assert.Contains("WRONGPASS", error.Message, StringComparison.Ordinal);
        Assert.IsType<RedisServerException>(error.InnerException);
    }

    [Fact]
    public async Task ExecuteAsync_NoPasswordOnProtectedServer_ThrowsNoAuth()
    {
        await using var server = await RedisServer.StartNewAsync(password: "right");
        await using var redis = new RedisConnection(new RedisOptions { Endpoint = server.Endpoint });

        var error = await Assert.ThrowsAsync<RedisServerException>(() => redis.PingAsync());

        Assert.Equal("NOAUTH", error.ErrorCode);
    }
}

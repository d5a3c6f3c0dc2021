using FleaMarket.Runtime.Redis;
using FleaMarket.Runtime.Redis.Resp;
using FleaMarket.TestKit.Engines;

namespace FleaMarket.Runtime.Redis.Tests;

/// <summary>One redis-server and one connection shared by a collection; tests use fresh random keys.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private RedisServer? _server;
    private RedisConnection? _connection;

    public RedisServer Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    internal RedisConnection Connection => _connection ?? throw new InvalidOperationException("The fixture has not started.");

    public async Task InitializeAsync()
    {
        _server = await RedisServer.StartNewAsync();
        _connection = new RedisConnection(new RedisOptions { Endpoint = _server.Endpoint });
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>A key no other test uses.</summary>
    public static string NewKey(string purpose) => $"test:{purpose}:{Guid.NewGuid():N}";
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "redis";
}

/// <summary>Waits for a condition with a deadline instead of sleeping a fixed time.</summary>
internal static class Eventually
{
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"Timed out waiting until {what}.");
            await Task.Delay(10);
        }
    }
}

using FleaMarket.Api.Auth;
using FleaMarket.Grains;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FleaMarket.Api.Tests.Users;

public sealed class SessionCacheTests
{
    private static readonly UserProfile Ada = new("u_ada", "ada", "Ada");
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public void Find_WithinItsLifetime_ReturnsTheUserThenForgetsIt()
    {
        var cache = Cache(TimeSpan.FromSeconds(5));
        cache.Add("k", Ada);

        _clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.Equal(Ada, cache.Find("k"));

        _clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Null(cache.Find("k"));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task Revoked_CachedSession_IsForgottenAtOnce()
    {
        var cache = Cache(TimeSpan.FromSeconds(5));
        cache.Add("k", Ada);
        cache.Add("other", Ada);

        await cache.Revoked("k");

        Assert.Null(cache.Find("k"));
        Assert.Equal(Ada, cache.Find("other"));
    }

    [Fact]
    public void Add_DurationZero_CachesNothing()
    {
        var cache = Cache(TimeSpan.Zero);
        cache.Add("k", Ada);

        Assert.False(cache.Enabled);
        Assert.Null(cache.Find("k"));
    }

    [Fact]
    public void Add_Full_DropsExpiredEntriesAndNeverGrowsPastCapacity()
    {
        var cache = Cache(TimeSpan.FromSeconds(5), capacity: 3);
        cache.Add("a", Ada);
        cache.Add("b", Ada);
        cache.Add("c", Ada);
        cache.Add("d", Ada);
        Assert.Equal(3, cache.Count);
        Assert.Null(cache.Find("d"));

        _clock.Advance(TimeSpan.FromSeconds(5));
        cache.Add("e", Ada);
        Assert.Equal(1, cache.Count);
        Assert.Equal(Ada, cache.Find("e"));
    }

    private SessionCache Cache(TimeSpan duration, int capacity = 100) =>
        new(Options.Create(new ApiOptions { SessionCacheDuration = duration, SessionCacheCapacity = capacity }), _clock);
}

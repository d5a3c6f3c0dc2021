using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace FleaMarket.Grains.Tests.Users;

/// <summary>An ended session reaches every registered API-node cache before End returns; only ended sessions are sent.</summary>
[Collection(GrainClusterFixture.Collection)]
public sealed class SessionRevocationTests(GrainClusterFixture fixture)
{
    private static readonly UserProfile Ada = new("u_ada", "ada", "Ada");

    [Fact]
    public async Task End_TwoCachesRegistered_BothToldBeforeEndReturns()
    {
        var first = new RecordingCache();
        var second = new RecordingCache();
        var hub = fixture.Grains.Reference<ISessionRevocationGrain>(ISessionRevocationGrain.ClusterKey);
        var references = new[] { first, second }.Select(c => fixture.Grains.CreateObjectReference<ISessionRevocationObserver>(c)).ToList();
        foreach (var reference in references) await hub.Subscribe(reference);
        try
        {
            var key = NewKey();
            var session = fixture.Grains.Reference<ISessionGrain>(key);
            await session.Start(Ada, TimeSpan.FromHours(1));
            await session.Authenticate();
            Assert.Empty(first.Ended);

            await session.End();

            Assert.Contains(key, first.Ended);
            Assert.Contains(key, second.Ended);
        }
        finally
        {
            foreach (var reference in references)
            {
                await hub.Unsubscribe(reference);
                fixture.Grains.DeleteObjectReference<ISessionRevocationObserver>(reference);
            }
        }
    }

    [Fact]
    public async Task End_UnknownSession_RevokesNothing()
    {
        var cache = new RecordingCache();
        var hub = fixture.Grains.Reference<ISessionRevocationGrain>(ISessionRevocationGrain.ClusterKey);
        var reference = fixture.Grains.CreateObjectReference<ISessionRevocationObserver>(cache);
        await hub.Subscribe(reference);
        try
        {
            var key = NewKey();
            await fixture.Grains.Reference<ISessionGrain>(key).End();

            Assert.DoesNotContain(key, cache.Ended);
        }
        finally
        {
            await hub.Unsubscribe(reference);
            fixture.Grains.DeleteObjectReference<ISessionRevocationObserver>(reference);
        }
    }

    private static string NewKey() => Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

    private sealed class RecordingCache : ISessionRevocationObserver
    {
        public ConcurrentBag<string> Ended { get; } = [];

        public Task Revoked(string sessionKey)
        {
            Ended.Add(sessionKey);
            return Task.CompletedTask;
        }
    }
}

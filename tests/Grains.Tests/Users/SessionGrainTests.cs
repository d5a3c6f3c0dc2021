using System.Security.Cryptography;
using FleaMarket.TestKit;

namespace FleaMarket.Grains.Tests.Users;

/// <summary>
/// A session key with no live session behind it (unknown, ended or expired) leaves no activation on a call and
/// stores nothing more; live sessions keep working.
/// </summary>
[Collection(GrainClusterFixture.Collection)]
public sealed class SessionGrainTests(GrainClusterFixture fixture)
{
    private static readonly UserProfile Ada = new("u_ada", "ada", "Ada");

    [Fact]
    public async Task Authenticate_UnknownKey_ReturnsNullAndLeavesNothing()
    {
        var session = Unknown();

        Assert.Null(await session.Authenticate());

        await fixture.AssertLeftNothingAsync(session);
    }

    [Fact]
    public async Task End_UnknownKey_LeavesNothing()
    {
        var session = Unknown();

        await session.End();

        await fixture.AssertLeftNothingAsync(session);
    }

    [Fact]
    public async Task Authenticate_LiveSession_ReturnsUserAndKeepsItsActivation()
    {
        var session = Unknown();
        await session.Start(Ada, TimeSpan.FromHours(1));

        Assert.Equal(Ada, await session.Authenticate());

        Assert.True(fixture.IsActivated(session));
    }

    [Fact]
    public async Task Authenticate_EndedSession_ReturnsNullAndLeavesNoActivationOrFurtherWrite()
    {
        var session = Unknown();
        await session.Start(Ada, TimeSpan.FromHours(1));
        await session.End();
        await WaitUntilDeactivatedAsync(session);

        Assert.Null(await session.Authenticate());

        await WaitUntilDeactivatedAsync(session);
        Assert.Equal(2, fixture.Store.WritesOf(session.GetGrainId()));
    }

    [Fact]
    public async Task Authenticate_ExpiredSession_ReturnsNullAndLeavesNoActivationOrFurtherWrite()
    {
        var session = Unknown();
        await session.Start(Ada, TimeSpan.FromHours(1));
        // A use slides the expiry in memory only (less than the persist slack), so deactivating would store it if it were still live.
        fixture.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(Ada, await session.Authenticate());
        fixture.Clock.Advance(TimeSpan.FromHours(2));

        Assert.Null(await session.Authenticate());

        await WaitUntilDeactivatedAsync(session);
        Assert.Equal(1, fixture.Store.WritesOf(session.GetGrainId()));
    }

    [Fact]
    public async Task Start_RacingAnAuthenticateOfTheSameKey_StartsAndAuthenticatesAfterwards()
    {
        // Whichever runs first: a read that finds nothing deactivates, and the start queued behind it is
        // forwarded to the next activation, which stores the session.
        for (var i = 0; i < 20; i++)
        {
            var session = Unknown();
            var read = session.Authenticate();
            var start = session.Start(Ada, TimeSpan.FromHours(1));

            await read;
            await start;
            Assert.Equal(Ada, await session.Authenticate());
        }
    }

    // Shaped like the API's keys: hex SHA-256 of a token.
    private ISessionGrain Unknown() => fixture.Grains.GetGrain<ISessionGrain>(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));

    private Task WaitUntilDeactivatedAsync(ISessionGrain session) =>
        Eventually.WaitUntilAsync(() => !fixture.IsActivated(session), $"{session.GetGrainId()} to deactivate", TimeSpan.FromSeconds(5));
}

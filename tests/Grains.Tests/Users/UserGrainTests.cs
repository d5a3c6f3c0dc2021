namespace FleaMarket.Grains.Tests.Users;

/// <summary>A username nobody registered leaves no activation and stores nothing when a password is tried against it.</summary>
[Collection(GrainClusterFixture.Collection)]
public sealed class UserGrainTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task VerifyPassword_UnknownUsername_ReturnsNullAndLeavesNothing()
    {
        var user = Unknown();

        Assert.Null(await user.VerifyPassword("correct horse"));

        await fixture.AssertLeftNothingAsync(user);
    }

    [Fact]
    public async Task Register_RacingAVerifyPasswordOfTheSameName_RegistersAndVerifiesAfterwards()
    {
        // Whichever runs first: a check that finds nobody deactivates, and the registration queued behind it
        // is forwarded to the next activation, which stores the user.
        for (var i = 0; i < 5; i++)
        {
            var user = Unknown();
            var check = user.VerifyPassword("correct horse");
            var register = user.Register(user.GetPrimaryKeyString(), "correct horse", "Ada");

            await check;
            var profile = await register;
            Assert.NotNull(profile);
            Assert.Equal(profile, await user.VerifyPassword("correct horse"));
        }
    }

    private IUserGrain Unknown() => fixture.Grains.GetGrain<IUserGrain>($"u{Guid.NewGuid():N}"[..20]);
}

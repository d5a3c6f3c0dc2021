using FleaMarket.Grains.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Providers;
using Orleans.Storage;

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

    [Fact]
    public async Task VerifyPassword_HashStoredBeforeNormalisation_AcceptsThePasswordAsTypedThenInEitherForm()
    {
        const string Decomposed = "cafe\u0301 cre\u0300me";
        const string Composed = "caf\u00E9 cr\u00E8me";
        var user = Unknown();
        var profile = new UserProfile($"u_{Guid.NewGuid():N}", user.GetPrimaryKeyString(), "Ada");
        // What Register stored before passwords were normalised: the hash of the password as it was typed.
        var legacy = new UserState { Profile = profile, PasswordHash = new PasswordHasher<string>().HashPassword(profile.UserId, Decomposed) };
        var storage = fixture.Cluster.Silos[0].SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME);
        await storage.WriteStateAsync("user", user.GetGrainId(), new GrainState<UserState>(legacy));

        Assert.Equal(profile, await user.VerifyPassword(Decomposed));
        Assert.Equal(profile, await user.VerifyPassword(Composed));
        Assert.Null(await user.VerifyPassword("cafe creme"));
    }

    private IUserGrain Unknown() => fixture.Grains.GetGrain<IUserGrain>($"u{Guid.NewGuid():N}"[..20]);
}

using Microsoft.AspNetCore.Identity;

namespace FleaMarket.Grains.Users;

/// <summary>A user by lower-cased username. Owns the password hash; the profile lives in the account grain.</summary>
public sealed class UserGrain([PersistentState("user")] IPersistentState<UserState> state, IPasswordHasher<string> hasher) : Grain, IUserGrain
{
    // Verifying against a real hash for unknown users keeps login timing from revealing which usernames exist.
    private static string? s_unknownUserHash;

    public async Task<UserProfile?> Register(string username, string password, string displayName)
    {
        if (state.RecordExists) return null;
        var profile = new UserProfile($"u_{Guid.NewGuid():N}", username, displayName);
        await GrainFactory.GetGrain<IAccountGrain>(profile.UserId).Initialize(profile);
        state.State = new UserState { Profile = profile, PasswordHash = hasher.HashPassword(profile.UserId, password) };
        await state.WriteStateAsync();
        return profile;
    }

    public async Task<UserProfile?> VerifyPassword(string password)
    {
        if (!state.RecordExists || state.State.Profile is not { } profile)
        {
            // No such user: guessed usernames must not pile up activations until the idle age.
            DeactivateOnIdle();
            s_unknownUserHash ??= hasher.HashPassword("", Guid.NewGuid().ToString());
            hasher.VerifyHashedPassword("", s_unknownUserHash, password);
            return null;
        }

        switch (hasher.VerifyHashedPassword(profile.UserId, state.State.PasswordHash, password))
        {
            case PasswordVerificationResult.Success:
                return profile;
            case PasswordVerificationResult.SuccessRehashNeeded:
                state.State.PasswordHash = hasher.HashPassword(profile.UserId, password);
                await state.WriteStateAsync();
                return profile;
            default:
                return null;
        }
    }
}

/// <summary>The stored state of a user grain.</summary>
[GenerateSerializer, Alias("FleaMarket.UserState")]
public sealed class UserState
{
    [Id(0)]
    public UserProfile? Profile { get; set; }

    [Id(1)]
    public string PasswordHash { get; set; } = "";
}

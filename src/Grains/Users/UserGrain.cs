using System.Text;
using Microsoft.AspNetCore.Identity;

namespace FleaMarket.Grains.Users;

/// <summary>
/// A user by lower-cased username. Owns the password hash; the profile lives in the account grain. Passwords are
/// hashed and checked in Unicode NFC, so "é" typed as one code point or as e + U+0301 is the same password.
/// </summary>
public sealed class UserGrain([PersistentState("user")] IPersistentState<UserState> state, IPasswordHasher<string> hasher) : Grain, IUserGrain
{
    // Verifying against a real hash for unknown users keeps login timing from revealing which usernames exist.
    private static string? s_unknownUserHash;

    public async Task<UserProfile?> Register(string username, string password, string displayName)
    {
        if (state.RecordExists) return null;
        var profile = new UserProfile($"u_{Guid.NewGuid():N}", username, displayName);
        await GrainFactory.Reference<IAccountGrain>(profile.UserId).Initialize(profile);
        state.State = new UserState { Profile = profile, PasswordHash = hasher.HashPassword(profile.UserId, Nfc(password)) };
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

        var normalized = Nfc(password);
        var result = hasher.VerifyHashedPassword(profile.UserId, state.State.PasswordHash, normalized);
        if (result == PasswordVerificationResult.Failed && !ReferenceEquals(normalized, password)
            && hasher.VerifyHashedPassword(profile.UserId, state.State.PasswordHash, password) != PasswordVerificationResult.Failed)
        {
            // A hash made before passwords were normalised holds the password as it was typed: accept it once
            // and store the normalised one, so the same password from another keyboard works from now on.
            result = PasswordVerificationResult.SuccessRehashNeeded;
        }

        switch (result)
        {
            case PasswordVerificationResult.Success:
                return profile;
            case PasswordVerificationResult.SuccessRehashNeeded:
                state.State.PasswordHash = hasher.HashPassword(profile.UserId, normalized);
                await state.WriteStateAsync();
                return profile;
            default:
                return null;
        }
    }

    private static string Nfc(string password) => password.IsNormalized(NormalizationForm.FormC) ? password : password.Normalize(NormalizationForm.FormC);
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

namespace FleaMarket.Grains;

/// <summary>A registered user as the API shows it. Also stored, in the user, account and session grains.</summary>
[GenerateSerializer, Immutable, Alias("FleaMarket.UserProfile")]
public sealed record UserProfile([property: Id(0)] string UserId, [property: Id(1)] string Username, [property: Id(2)] string DisplayName);

/// <summary>A user by lower-cased username: registration and password checks.</summary>
[Alias("FleaMarket.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>Registers the user; null if the username is taken. The password is hashed before it is stored.</summary>
    [Alias("Register")]
    Task<UserProfile?> Register(string username, string password, string displayName);

    /// <summary>The profile if <paramref name="password"/> matches, else null (also for unknown users).</summary>
    [Alias("VerifyPassword")]
    Task<UserProfile?> VerifyPassword(string password);
}

using FleaMarket.Api.Validation;

namespace FleaMarket.Api.Users;

public sealed record RegisterUserRequest(string? Username, string? Password, string? DisplayName)
{
    internal Rules Validate()
    {
        var rules = new Rules();
        Usernames.Check(rules, Username);
        rules.Text("password", Password, 8, 128);
        rules.Visible("password", Password, isName: false);
        rules.Text("displayName", DisplayName, 1, 64);
        rules.Visible("displayName", DisplayName, isName: true);
        return rules;
    }
}

public sealed record CreateSessionRequest(string? Username, string? Password)
{
    internal Rules Validate()
    {
        var rules = new Rules();
        Usernames.Check(rules, Username);
        rules.Text("password", Password, 8, 128);
        rules.Visible("password", Password, isName: false);
        return rules;
    }
}

public sealed record UserResponse(string UserId, string Username, string DisplayName);

public sealed record SessionResponse(string Token, string UserId, DateTimeOffset ExpiresAt);

public sealed record CurrentSessionResponse(string UserId, DateTimeOffset ExpiresAt);

/// <summary>Usernames: 3–32 characters of [a-z0-9_.-], compared case-insensitively (stored lower-cased).</summary>
internal static class Usernames
{
    public static void Check(Rules rules, string? username)
    {
        if (username is null)
        {
            rules.Add("username", "Required.");
            return;
        }

        if (username.Length is < 3 or > 32 || !username.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
        {
            rules.Add("username", "Must be 3 to 32 characters of a-z, 0-9, '_', '.' and '-'.");
        }
    }

    public static string Normalize(string username) => username.ToLowerInvariant();
}

using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;

namespace FleaMarket.Baseline.Auth;

/// <summary>Bearer tokens: 256 random bits; the sessions table stores only their SHA-256.</summary>
internal static class SessionTokens
{
    public const string UserIdClaim = "uid";

    public static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Whether the token could be one of ours; anything else is refused without a database call.</summary>
    public static bool LooksValid(string token) => token.Length == 43 && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(UserIdClaim) ?? throw new InvalidOperationException("The request is not authenticated.");
}

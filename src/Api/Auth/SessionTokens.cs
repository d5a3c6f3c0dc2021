using System.Security.Cryptography;
using System.Text;

namespace FleaMarket.Api.Auth;

/// <summary>Bearer tokens: 256 random bits from the OS generator; sessions are keyed by the token's SHA-256.</summary>
public static class SessionTokens
{
    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The session grain key of a token: hex SHA-256, so the grain id never reveals the token.</summary>
    public static string SessionKey(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Whether <paramref name="token"/> could be one of ours (base64url, 43 chars); anything else is refused without a grain call.</summary>
    public static bool LooksValid(string token) =>
        token.Length == 43 && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

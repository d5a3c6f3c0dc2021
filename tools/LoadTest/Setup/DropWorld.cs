using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace FleaMarket.LoadTest.Setup;

/// <summary>A signed-in user of the rehearsal.</summary>
internal sealed record Participant(string Username, string UserId, AuthenticationHeaderValue Auth)
{
    /// <summary>
    /// The key of the user's session grain: hex SHA-256 of the bearer token, as the API computes it (SessionTokens),
    /// so a failure can be matched to where the session lived without the report ever holding a token.
    /// </summary>
    public string SessionKey { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Auth.Parameter ?? "")));
}

/// <summary>Everything setup created: the seller, the market, its listings and the buyers.</summary>
internal sealed record DropWorld(
    Participant Seller, string MarketId, DateTimeOffset OpensAt, IReadOnlyList<string> ListingIds, IReadOnlyList<Participant> Buyers, TimeSpan SetupTime);

using System.Net.Http.Headers;

namespace FleaMarket.LoadTest.Setup;

/// <summary>A signed-in user of the rehearsal.</summary>
internal sealed record Participant(string Username, string UserId, AuthenticationHeaderValue Auth);

/// <summary>Everything setup created: the seller, the market, its listings and the buyers.</summary>
internal sealed record DropWorld(
    Participant Seller, string MarketId, DateTimeOffset OpensAt, IReadOnlyList<string> ListingIds, IReadOnlyList<Participant> Buyers, TimeSpan SetupTime);

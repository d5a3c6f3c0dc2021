using System.Text.Json;
using FleaMarket.Api.Markets;
using FleaMarket.Grains;

namespace FleaMarket.Api.Feed;

/// <summary>
/// An event as it goes on the wire, its JSON rendered once per node and shared by every reader (with thousands of
/// readers, serializing per reader was the node's main cost). <see cref="Key"/> is what a newer event of the same
/// kind replaces in a reader's mailbox: the listing id, or the market id for a snapshot.
/// </summary>
internal sealed record FeedEvent(string Type, string Key, string Data)
{
    public static FeedEvent Market(MarketDetails details, JsonSerializerOptions json) =>
        new("market", details.Market.MarketId, JsonSerializer.Serialize(MarketWithListingsResponse.From(details), json));

    public static FeedEvent Listing(ListingView listing, JsonSerializerOptions json) =>
        new("listing", listing.ListingId, JsonSerializer.Serialize(new ListingEvent(listing.ListingId, listing.Remaining, listing.Status), json));
}

/// <summary>The data of a <c>listing</c> event.</summary>
public sealed record ListingEvent(string ListingId, int Remaining, string Status);

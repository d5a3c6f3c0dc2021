namespace FleaMarket.Grains.Markets;

/// <summary>A market as stored: what its seller set. Status is not stored; it follows from the clock.</summary>
[GenerateSerializer, Immutable, Alias("FleaMarket.MarketRecord")]
public sealed record MarketRecord(
    [property: Id(0)] string MarketId,
    [property: Id(1)] string SellerId,
    [property: Id(2)] string Title,
    [property: Id(3)] string? Description,
    [property: Id(4)] DateTimeOffset OpensAt,
    [property: Id(5)] DateTimeOffset? ClosesAt);

/// <summary>The stored state of a market grain.</summary>
[GenerateSerializer, Alias("FleaMarket.MarketState")]
public sealed class MarketState
{
    [Id(0)]
    public MarketRecord? Market { get; set; }

    /// <summary>Listing ids in the order they were added.</summary>
    [Id(1)]
    public List<string> ListingIds { get; set; } = [];
}

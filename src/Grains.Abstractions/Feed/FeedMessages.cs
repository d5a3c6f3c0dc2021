namespace FleaMarket.Grains;

/// <summary>
/// A listing's stock as the feed shows it. <see cref="Version"/> is the listing's journal length when it was
/// reported, so a report that arrives after a newer one is recognised and dropped.
/// </summary>
[GenerateSerializer, Immutable, Alias("FleaMarket.ListingStock")]
public sealed record ListingStock(
    [property: Id(0)] string ListingId,
    [property: Id(1)] int Remaining,
    [property: Id(2)] string Status,
    [property: Id(3)] long Version);

/// <summary>
/// The market with its listings as a hub has it. <see cref="Epoch"/> names the hub's activation and
/// <see cref="Sequence"/> orders everything that activation sends, snapshots and batches alike.
/// </summary>
[GenerateSerializer, Immutable, Alias("FleaMarket.FeedSnapshot")]
public sealed record FeedSnapshot(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Sequence,
    [property: Id(2)] MarketDetails Details);

/// <summary>A batch of listing changes from a hub (see <see cref="FeedSnapshot"/> for epoch and sequence).</summary>
[GenerateSerializer, Immutable, Alias("FleaMarket.FeedListings")]
public sealed record FeedListings(
    [property: Id(0)] Guid Epoch,
    [property: Id(1)] long Sequence,
    [property: Id(2)] ListingStock[] Listings);

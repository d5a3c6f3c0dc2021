namespace FleaMarket.Grains.Listings;

/// <summary>Listing settings (configuration section "Listings").</summary>
public sealed class ListingOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Listings";

    /// <summary>
    /// Purchases a listing holds while they wait to be made durable. Past it a purchase is refused at once as
    /// busy (503 with Retry-After) instead of queueing behind thousands of others past its caller's budget.
    /// Default 2,000: at the ~1,200 orders/s one hot listing commits on a loaded two-core machine, under two
    /// seconds of waiting.
    /// </summary>
    public int MaxPendingPurchases { get; set; } = 2000;

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (MaxPendingPurchases <= 0) throw new InvalidOperationException($"Listings:{nameof(MaxPendingPurchases)} must be greater than zero.");
    }
}

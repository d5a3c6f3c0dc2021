namespace FleaMarket.Grains.Feed;

/// <summary>Settings of the live sales feed's hub grains (configuration section "Feed").</summary>
public sealed class FeedOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Feed";

    /// <summary>
    /// Shortest time between two batches of listing changes a market's hub sends: the first change after a quiet
    /// spell goes out at once, later ones are merged into the next batch, so each listing gets at most one event
    /// per interval and its last value always goes out. Default 250 ms (four events a second at most).
    /// </summary>
    public TimeSpan BatchInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long a hub keeps an API node's observer that has not renewed its subscription. Must be well above the
    /// API nodes' Api:FeedRenewPeriod. Default 1 minute.
    /// </summary>
    public TimeSpan ObserverExpiry { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (BatchInterval < TimeSpan.Zero) throw new InvalidOperationException($"Feed:{nameof(BatchInterval)} must not be negative.");
        if (ObserverExpiry <= TimeSpan.Zero) throw new InvalidOperationException($"Feed:{nameof(ObserverExpiry)} must be greater than zero.");
    }
}

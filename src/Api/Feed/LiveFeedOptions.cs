namespace FleaMarket.Api.Feed;

/// <summary>
/// The live sales feed on an API node (configuration section "Api", next to <see cref="ApiOptions"/>); the hub
/// grains' own settings are the silos' section "Feed".
/// </summary>
public sealed class LiveFeedOptions
{
    /// <summary>
    /// How often a node renews its subscription to each market it has readers for. Each renewal brings a snapshot
    /// that repairs anything missed (a hub lost with its silo is back within this period). Must stay well under the
    /// silos' Feed:ObserverExpiry. Default 10 seconds.
    /// </summary>
    public TimeSpan FeedRenewPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After this long without an event a stream carries a <c>ping</c> event (empty data, which browsers do not
    /// dispatch), so proxies that close idle connections (nginx after 60 s) keep it open. Default 15 seconds.
    /// </summary>
    public TimeSpan FeedKeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Open event streams per client address on one node; one more is answered 429 <c>rate-limited</c>. Each
    /// stream holds a connection and a little memory for as long as the client keeps it. Default 20.
    /// </summary>
    public int FeedConnectionsPerAddress { get; set; } = 20;

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (FeedRenewPeriod <= TimeSpan.Zero) throw new InvalidOperationException($"Api:{nameof(FeedRenewPeriod)} must be greater than zero.");
        if (FeedKeepAlive <= TimeSpan.Zero) throw new InvalidOperationException($"Api:{nameof(FeedKeepAlive)} must be greater than zero.");
        if (FeedConnectionsPerAddress <= 0) throw new InvalidOperationException($"Api:{nameof(FeedConnectionsPerAddress)} must be greater than zero.");
    }
}

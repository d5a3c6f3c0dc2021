using System.Threading.RateLimiting;
using FleaMarket.Api.Limits;
using FleaMarket.Hosting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FleaMarket.Api.Feed;

/// <summary>Entry points of the live sales feed and the live market page for the API's hosting.</summary>
internal static class LiveFeedHosting
{
    /// <summary>Rate-limit policy of the event stream: the read allowance, plus a cap on open streams, per client address.</summary>
    public const string RateLimitPolicy = "feed";

    /// <summary>The node's feed registry, its settings (section "Api") and its rate-limit policy. Safe to call twice.</summary>
    public static IServiceCollection AddLiveFeed(this IServiceCollection services)
    {
        // A policy name can be added once only.
        if (services.Any(d => d.ServiceType == typeof(MarketFeeds))) return services;
        services.AddValidatedOptions<LiveFeedOptions>(ApiOptions.SectionName, o => o.Validate());
        services.TryAddSingleton<MarketFeeds>();
        services.TryAddSingleton<MarketPage>();
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<LimitOptions>, IOptions<LiveFeedOptions>>((o, limits, feed) =>
        {
            // A stream is one read when it opens (the same bucket sizes as every other read), and holds one of its
            // address's FeedConnectionsPerAddress until it closes: the rate limiter keeps a lease for the whole request.
            o.AddPolicy(RateLimitPolicy, context => RateLimitPartition.Get("feed:" + ClientAddress.Of(context), _ => RateLimiter.CreateChained(
                new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
                {
                    TokenLimit = limits.Value.ReadBurst,
                    TokensPerPeriod = limits.Value.ReadsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                }),
                new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = feed.Value.FeedConnectionsPerAddress, QueueLimit = 0 }))));
        });
        return services;
    }

    /// <summary>GET /api/markets/{marketId}/events and the page /markets/{marketId} with its script, style and icon.</summary>
    public static IEndpointRouteBuilder MapLiveFeed(this IEndpointRouteBuilder app)
    {
        app.MapMarketEventsApi();
        app.MapMarketPage();
        return app;
    }
}

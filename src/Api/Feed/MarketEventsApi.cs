using System.Net.ServerSentEvents;
using FleaMarket.Api.Problems;
using FleaMarket.Api.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace FleaMarket.Api.Feed;

/// <summary>The live sales feed: a market's events as Server-Sent Events, from any API node.</summary>
internal static class MarketEventsApi
{
    public static IEndpointRouteBuilder MapMarketEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/markets/{marketId}/events", Events).WithName("GetMarketEvents")
            .WithSummary("The market's live sales feed (Server-Sent Events): a market snapshot, then listing and market events.")
            .WithDescription("Event types: market (the market with its listings, as GET /api/markets/{marketId} answers; first, and "
                + "when the market opens or closes or its listings change), listing ({listingId, remaining, status}; coalesced, at most "
                + "a few per second per listing, the last value always sent) and ping (empty data, after Api:FeedKeepAlive of silence). A reconnect "
                + "with Last-Event-ID starts again with a fresh snapshot.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireRateLimiting(LiveFeedHosting.RateLimitPolicy);
        return app;
    }

    // Last-Event-ID is read only to be documented: whatever the client saw last, a stream starts with a fresh
    // snapshot, which is all a reader of current stock needs.
    private static async Task<Results<ServerSentEventsResult<string>, ProblemHttpResult>> Events(
        string marketId, [FromHeader(Name = "Last-Event-ID")] string? lastEventId, HttpContext context, MarketFeeds feeds,
        IOptions<LiveFeedOptions> options, TimeProvider time)
    {
        _ = lastEventId;
        if (!Ids.IsMarket(marketId)) return Problem.NotFound("Market");
        var reader = await feeds.OpenAsync(marketId, context.RequestAborted);
        if (reader is null) return Problem.NotFound("Market");

        // Proxies must pass each event on at once: nginx reads X-Accel-Buffering. (The SSE result sets Cache-Control.)
        context.Response.Headers["X-Accel-Buffering"] = "no";
        if (IsHead(context))
        {
            // HEAD is served as GET with the body thrown away: there is no end to wait for.
            reader.Dispose();
            return TypedResults.ServerSentEvents(AsyncEnumerable.Empty<SseItem<string>>());
        }

        context.Response.RegisterForDispose(reader);
        return TypedResults.ServerSentEvents(reader.ReadAllAsync(options.Value.FeedKeepAlive, time, feeds.Stopping));
    }

    /// <summary>Whether the request came as HEAD (ResponseHeaders serves HEAD as GET into a null body).</summary>
    private static bool IsHead(HttpContext context) => ReferenceEquals(context.Response.Body, Stream.Null);
}

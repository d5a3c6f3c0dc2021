using System.Threading.RateLimiting;
using FleaMarket.Api.Problems;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace FleaMarket.Api.Limits;

/// <summary>
/// Load shedding at the node's edge (<see cref="ApiOptions.MaxRequestsInFlight"/>): ASP.NET Core's rate limiter with
/// one concurrency limit for the whole node and no queue, ahead of authentication and routing, so a refused request
/// costs neither a session lookup nor a grain call. The answer is 503 <c>unavailable</c> with Retry-After, the
/// contract's answer for "the cluster cannot serve this right now": past the limit a request would only queue
/// behind the others until its budget ran out.
/// </summary>
internal static class InFlightLimit
{
    public static void UseInFlightLimit(this IApplicationBuilder app)
    {
        var limit = app.ApplicationServices.GetRequiredService<IOptions<ApiOptions>>().Value.MaxRequestsInFlight;
        if (limit == 0) return;
        var node = new ConcurrencyLimiterOptions { PermitLimit = limit, QueueLimit = 0 };
        app.UseRateLimiter(new RateLimiterOptions
        {
            GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, bool>(context => Counted(context.Request.Path)
                ? RateLimitPartition.GetConcurrencyLimiter(true, _ => node)
                : RateLimitPartition.GetNoLimiter(false)),
            OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                var busy = Problem.Of(StatusCodes.Status503ServiceUnavailable, ProblemCodes.Unavailable,
                    "This API node is at its limit of requests in flight.", "Try again in 1 s.");
                return new ValueTask(busy.ExecuteAsync(context.HttpContext));
            },
        });
    }

    /// <summary>
    /// Everything but what must answer under load or holds its request open by design: the health checks (a
    /// refused probe would take a busy node out of the proxy's rotation), /metrics, and the live feed's streams.
    /// </summary>
    private static bool Counted(PathString path) =>
        !path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        && !path.StartsWithSegments("/metrics", StringComparison.OrdinalIgnoreCase)
        && !(path.StartsWithSegments("/api/markets", StringComparison.OrdinalIgnoreCase)
             && path.Value!.EndsWith("/events", StringComparison.OrdinalIgnoreCase));
}

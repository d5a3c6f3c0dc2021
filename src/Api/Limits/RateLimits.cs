using System.Globalization;
using System.Threading.RateLimiting;
using FleaMarket.Api.Auth;
using FleaMarket.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FleaMarket.Api.Limits;

/// <summary>The API's rate-limiting policies (ASP.NET Core's rate limiter), each answering 429 <c>rate-limited</c> with Retry-After.</summary>
internal static class RateLimits
{
    /// <summary>All login attempts per client address.</summary>
    public const string Login = "login";

    /// <summary>Registrations per client address: each costs a password hash and a fresh per-buyer allowance.</summary>
    public const string Registration = "registration";

    /// <summary>Purchase attempts per buyer.</summary>
    public const string Purchase = "purchase";

    /// <summary>Reads of public resources per caller: every unknown id asked for costs the cluster a grain call.</summary>
    public const string Read = "read";

    public static IServiceCollection AddFleaMarketRateLimits(this IServiceCollection services)
    {
        services.TryAddSingleton<LoginFailureLimiter>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                var policy = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
                var title = policy switch
                {
                    Login => "Too many logins from this address.",
                    Registration => "Too many registrations from this address.",
                    Purchase => "Too many purchase attempts.",
                    _ => "Too many requests.",
                };
                return new ValueTask(TooMany(context.HttpContext, retryAfter, title).ExecuteAsync(context.HttpContext));
            };
            o.AddPolicy(Login, context => Window(ClientAddress.Of(context), Limits(context).LoginsPerAddress, Limits(context).LoginWindow));
            o.AddPolicy(Registration, context =>
                Window(ClientAddress.Of(context), Limits(context).RegistrationsPerAddress, Limits(context).RegistrationWindow));
            o.AddPolicy(Purchase, context => Bucket(Caller(context), Limits(context).PurchasesPerSecond, Limits(context).PurchaseBurst));
            o.AddPolicy(Read, context => Bucket(Caller(context), Limits(context).ReadsPerSecond, Limits(context).ReadBurst));
        });
        return services;
    }

    /// <summary>429 <c>rate-limited</c> with Retry-After in whole seconds, rounded up.</summary>
    public static ProblemHttpResult TooMany(HttpContext context, TimeSpan retryAfter, string title)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problem.Of(429, ProblemCodes.RateLimited, title, $"Try again in {seconds} s.");
    }

    private static LimitOptions Limits(HttpContext context) => context.RequestServices.GetRequiredService<IOptions<LimitOptions>>().Value;

    /// <summary>The signed-in user, else the client address.</summary>
    private static string Caller(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true ? "user:" + context.User.UserId() : "address:" + ClientAddress.Of(context);

    private static RateLimitPartition<string> Window(string key, int limit, TimeSpan window) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = window, QueueLimit = 0 });

    private static RateLimitPartition<string> Bucket(string key, int perSecond, int burst) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
        });
}

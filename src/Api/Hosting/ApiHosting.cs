using System.Data.Common;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using FleaMarket.Api.Auth;
using FleaMarket.Api.Listings;
using FleaMarket.Api.Markets;
using FleaMarket.Api.Operations;
using FleaMarket.Api.Problems;
using FleaMarket.Api.Users;
using FleaMarket.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FleaMarket.Api.Hosting;

/// <summary>Entry points for hosting the HTTP API (standalone in src/Api, or next to a silo in the embedded default).</summary>
public static class ApiHosting
{
    /// <summary>
    /// The API's services: problem details with the contract's type codes, bearer sessions, the login rate limits,
    /// OpenAPI, health checks and the /metrics exporter. Needs an <see cref="IGrainFactory"/> (a cluster client or a silo).
    /// </summary>
    public static IServiceCollection AddFleaMarketApi(this IServiceCollection services, Action<ApiOptions>? configure = null)
    {
        services.AddValidatedOptions<ApiOptions>(ApiOptions.SectionName, o => o.Validate());
        if (configure is not null) services.Configure(configure);
        services.TryAddSingleton(TimeProvider.System);

        // ASP.NET Core logs two lines per request at Information: under a drop that is most of the API's CPU.
        // Unless configuration says otherwise ("Logging:LogLevel:Microsoft.AspNetCore"), keep its warnings only.
        services.Configure<LoggerFilterOptions>(o =>
        {
            if (!o.Rules.Any(r => r.CategoryName == "Microsoft.AspNetCore"))
            {
                o.Rules.Add(new LoggerFilterRule(null, "Microsoft.AspNetCore", LogLevel.Warning, null));
            }
        });
        services.ConfigureHttpJsonOptions(o =>
        {
            // "5" is not a number: wrong types are refused, not coerced.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            if (context.ProblemDetails.Type is not { } type || !type.StartsWith(ProblemCodes.BaseUri, StringComparison.Ordinal))
            {
                context.ProblemDetails.Type = ProblemCodes.Uri(ProblemCodes.ForStatus(status));
            }

            if (status == StatusCodes.Status503ServiceUnavailable) context.HttpContext.Response.Headers.RetryAfter = "1";
        });
        services.AddAuthentication(SessionAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.TryAddSingleton<LoginRateLimiter>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                return new ValueTask(Problem.Of(429, ProblemCodes.RateLimited, "Too many logins from this address; try again later.").ExecuteAsync(context.HttpContext));
            };
            o.AddPolicy(UsersApi.LoginRateLimitPolicy, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = options.LoginsPerAddress, Window = options.LoginWindow, QueueLimit = 0 });
            });
        });
        services.AddOpenApi();
        services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        services.AddFleaMarketMetrics();
        return services;
    }

    /// <summary>The API's middleware and endpoints.</summary>
    public static WebApplication MapFleaMarketApi(this WebApplication app)
    {
        // Behind nginx every connection comes from the proxy; the client address (for the per-address login
        // limit) is the X-Forwarded-For set by a proxy on loopback, the only proxies trusted by default.
        app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto });
        app.UseMiddleware<RequestBodyLimit>();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                _ when IsUnavailable(exception) => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
        });
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapOpenApi();
        app.MapUsersApi();
        app.MapMarketsApi();
        app.MapListingsApi();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapFleaMarketMetrics();
        return app;
    }

    /// <summary>
    /// Failures that mean "the cluster cannot serve this right now", never "the input was wrong": Orleans'
    /// own (a silo gone, a message rejected, the client not connected yet), a call past its timeout, and a
    /// storage engine that is down. Each is a 503 with Retry-After; a purchase answered so was not acknowledged.
    /// </summary>
    internal static bool IsUnavailable(Exception exception) => exception switch
    {
        OrleansException or TimeoutException or DbException => true,
        // Thrown by Orleans itself, not by a grain: e.g. a client that has not reached any silo yet knows no
        // grain implementations ("Could not find an implementation for interface ...", an ArgumentException).
        _ when exception.Source?.StartsWith("Orleans", StringComparison.Ordinal) == true => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsUnavailable),
        _ => exception.InnerException is { } inner && IsUnavailable(inner),
    };
}

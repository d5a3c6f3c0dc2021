using System.Data.Common;
using System.Text.Json.Serialization;
using FleaMarket.Api.Auth;
using FleaMarket.Api.Feed;
using FleaMarket.Api.Limits;
using FleaMarket.Api.Listings;
using FleaMarket.Api.Markets;
using FleaMarket.Api.Operations;
using FleaMarket.Api.Problems;
using FleaMarket.Api.Users;
using FleaMarket.Api.Validation;
using FleaMarket.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

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
        services.AddValidatedOptions<LimitOptions>(ApiOptions.SectionName, o => o.Validate());
        if (configure is not null) services.Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GrainCallRetry>();

        // ASP.NET Core logs two lines per request at Information: under a drop that is most of the API's CPU.
        // Unless configuration says otherwise ("Logging:LogLevel:Microsoft.AspNetCore"), keep its warnings only.
        services.Configure<LoggerFilterOptions>(o =>
        {
            if (!o.Rules.Any(r => r.CategoryName == "Microsoft.AspNetCore"))
            {
                o.Rules.Add(new LoggerFilterRule(null, "Microsoft.AspNetCore", LogLevel.Warning, null));
            }

            // Two lines per 401 at Information: a flood of made-up tokens would be a flood of log lines.
            var authentication = typeof(SessionAuthenticationHandler).FullName!;
            if (!o.Rules.Any(r => r.CategoryName == authentication))
            {
                o.Rules.Add(new LoggerFilterRule(null, authentication, LogLevel.Warning, null));
            }
        });
        services.ConfigureHttpJsonOptions(o =>
        {
            // "5" is not a number: wrong types are refused, not coerced. {"quantity":1,"quantity":900} is refused,
            // not read as whichever copy a parser keeps. A time without an offset is refused, not read as local time.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.AllowDuplicateProperties = false;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            o.SerializerOptions.Converters.Add(new TimestampConverter());
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            if (context.ProblemDetails.Type is not { } type || !type.StartsWith(ProblemCodes.BaseUri, StringComparison.Ordinal))
            {
                context.ProblemDetails.Type = ProblemCodes.Uri(ProblemCodes.ForStatus(status));
            }

            var headers = context.HttpContext.Response.Headers;
            if (status == StatusCodes.Status503ServiceUnavailable && headers.RetryAfter.Count == 0) headers.RetryAfter = "1";
            if (status == StatusCodes.Status401Unauthorized && headers.WWWAuthenticate.Count == 0) headers.WWWAuthenticate = SessionAuthenticationHandler.Challenge;
        });
        services.AddAuthentication(SessionAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.TryAddSingleton<SessionCache>();
        services.TryAddSingleton<SessionRevocationSubscription>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionRevocationSubscription>());
        services.AddFleaMarketRateLimits();
        services.AddFleaMarketPublicReads();
        services.AddLiveFeed();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ApiOptions>>((o, api) =>
        {
            // Only the proxies a setting names: the framework's default trusts loopback, so anything on the
            // machine (or a forged header through an unrelated local proxy) would choose its own client address.
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            o.ForwardLimit = null;
            foreach (var proxy in api.Value.TrustedProxies)
            {
                ApiOptions.TryParseProxy(proxy, out var network);
                o.KnownIPNetworks.Add(network);
            }
        });
        services.AddOpenApi(OpenApiContract.Configure);
        services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        services.AddFleaMarketMetrics();
        return services;
    }

    /// <summary>The API's middleware and endpoints.</summary>
    public static WebApplication MapFleaMarketApi(this WebApplication app)
    {
        GrainCallRetry.UseRequestBudget(app);
        app.UseMiddleware<ResponseHeaders>();
        // Before anything that costs: a request past the node's limit is refused before its session is looked up.
        app.UseInFlightLimit();
        app.UseForwardedHeaders();
        // Routing after the HEAD-as-GET rewrite above (by default it would run first).
        app.UseRouting();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                _ when IsUnavailable(exception) => StatusCodes.Status503ServiceUnavailable,
                // The client stopped sending its body or went away: its fault, and nobody reads the answer.
                IOException or ConnectionResetException => StatusCodes.Status400BadRequest,
                _ => StatusCodes.Status500InternalServerError,
            },
        });
        app.UseMiddleware<RequestBodyLimit>();
        app.UseMiddleware<RequestCharset>();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseOutputCache();
        // One group for every route, so the problem responses shared by kind are added to each (after the
        // route's own conventions: "Finally").
        var routes = app.MapGroup("");
        ((IEndpointConventionBuilder)routes).Finally(OpenApiContract.AddSharedProblems);
        routes.MapOpenApi();
        routes.MapUsersApi();
        routes.MapMarketsApi();
        routes.MapListingsApi();
        routes.MapLiveFeed();
        routes.MapFleaMarketHealthChecks();
        routes.MapFleaMarketMetrics();
        return app;
    }

    /// <summary>/health/live (the process runs) and /health/ready (it can reach the cluster), for GET and HEAD only.</summary>
    public static void MapFleaMarketHealthChecks(this IEndpointRouteBuilder app)
    {
        HttpMethodMetadata getOrHead = new([HttpMethods.Get, HttpMethods.Head]);
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).WithMetadata(getOrHead);
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).WithMetadata(getOrHead);
    }

    /// <summary>
    /// Failures that mean "the cluster cannot serve this right now", never "the input was wrong": Orleans'
    /// own (a silo gone, a message rejected, the client not connected yet), a call past its timeout, and a
    /// storage engine that is down. Each is a 503 with Retry-After; a purchase answered so was not acknowledged.
    /// </summary>
    internal static bool IsUnavailable(Exception exception) => exception switch
    {
        OrleansException or TimeoutException or DbException => true,
        // A grain call that a silo rejected because placing it was cancelled (a membership change under way); also
        // the client's own abort, whose answer nobody reads.
        OperationCanceledException => true,
        // Thrown by Orleans itself, not by a grain: e.g. a client that has not reached any silo yet knows no
        // grain implementations ("Could not find an implementation for interface ...", an ArgumentException).
        _ when exception.Source?.StartsWith("Orleans", StringComparison.Ordinal) == true => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsUnavailable),
        _ => exception.InnerException is { } inner && IsUnavailable(inner),
    };
}

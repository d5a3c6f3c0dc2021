using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace FleaMarket.Api.Operations;

/// <summary>
/// GET market and GET listing at the opening minute: every refresh of a crowd would be a grain call. Each API
/// node keeps the answer for at most a second (ASP.NET Core's output cache, one grain call per second per
/// resource and node whatever the crowd; Api:PublicReadCacheDuration), and every answer carries an ETag so a client that has it gets 304.
/// </summary>
internal static class PublicReads
{
    public const string Policy = "public-read";

    public static IServiceCollection AddFleaMarketPublicReads(this IServiceCollection services) =>
        services.AddOutputCache(o => o.AddPolicy(Policy, new PublicReadCachePolicy()));

    /// <summary>
    /// 200 with a strong ETag over the JSON the client receives (the same on every node), or 304 when the client's
    /// If-None-Match already names it. Clients must revalidate (no-cache): the stock moves every second.
    /// </summary>
    public static IResult OkOrNotModified<T>(HttpContext context, T body)
    {
        var json = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        // Serialized once: the bytes hashed for the ETag are the bytes sent.
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, json);
        var hash = SHA256.HashData(bytes);
        var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(hash.AsSpan(0, 16))}\"");
        context.Response.Headers.ETag = etag.ToString();
        context.Response.Headers.CacheControl = "no-cache";
        var asked = context.Request.GetTypedHeaders().IfNoneMatch;
        return asked.Any(e => e.Compare(etag, useStrongComparison: false) || e.Equals(EntityTagHeaderValue.Any))
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Bytes(bytes, "application/json; charset=utf-8");
    }

    /// <summary>
    /// Caches 200 answers for Api:PublicReadCacheDuration, also for signed-in callers (the framework's default
    /// policy would not, but these answers are the same for everyone), whatever the Host header. A request that
    /// says Cache-Control: no-cache reads through (and refreshes the entry).
    /// </summary>
    private sealed class PublicReadCachePolicy : IOutputCachePolicy
    {
        public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
        {
            var duration = context.HttpContext.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.PublicReadCacheDuration;
            context.EnableOutputCaching = duration > TimeSpan.Zero;
            context.AllowCacheLookup = !context.HttpContext.Request.Headers.CacheControl.Any(v => v?.Contains("no-cache", StringComparison.OrdinalIgnoreCase) == true);
            context.AllowCacheStorage = true;
            context.AllowLocking = true;
            context.ResponseExpirationTimeSpan = duration;
            context.CacheVaryByRules.VaryByHost = false;
            return ValueTask.CompletedTask;
        }

        public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

        public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
        {
            if (context.HttpContext.Response.StatusCode != StatusCodes.Status200OK) context.AllowCacheStorage = false;
            return ValueTask.CompletedTask;
        }
    }
}

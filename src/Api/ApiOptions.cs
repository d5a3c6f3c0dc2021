using System.Net;
using System.Net.Sockets;

namespace FleaMarket.Api;

/// <summary>API settings (configuration section "Api").</summary>
public sealed class ApiOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Api";

    /// <summary>Sliding session lifetime. Default 24 hours.</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Largest accepted request body, in bytes; larger bodies get 413. Default 64 KiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Proxies whose X-Forwarded-For / X-Forwarded-Proto the API believes (addresses or CIDR ranges, e.g. nginx's
    /// address). Default none: the client is the TCP peer, and a forged header from anyone else changes nothing.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>The public base URL announced as the OpenAPI document's server (e.g. https://api.example). Default none: no server is announced.</summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>
    /// How long an API node serves GET market / GET listing from its cache (so the stock shown is at most this
    /// stale); zero turns the cache off. A request with <c>Cache-Control: no-cache</c> always reads through. Default 1 s.
    /// </summary>
    public TimeSpan PublicReadCacheDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long an API node accepts a session it has just confirmed with the session grain without asking again
    /// (a drop's burst of purchases then costs one session lookup per buyer and period, not one per request). A
    /// logout reaches every node at once through the revocation hub; this bounds how late a node that misses it
    /// notices. Zero turns the cache off. Default 5 s.
    /// </summary>
    public TimeSpan SessionCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most sessions an API node caches; beyond it, requests go to the session grain. Default 100,000.</summary>
    public int SessionCacheCapacity { get; set; } = 100_000;

    /// <summary>
    /// How many times a purchase, or the session read that authenticates a request, is sent again when its grain
    /// call was lost in transport (no answer in time, the silo or its gateway gone); 0 turns repeats off. Safe: a
    /// purchase carries its Idempotency-Key. Default 1.
    /// </summary>
    public int GrainCallRetries { get; set; } = 1;

    /// <summary>
    /// How long a request's repeatable grain calls (the session read, then the purchase) may run in all, counted from
    /// when this node took the request: no repeat starts after it and a call still running at its end answers 503.
    /// Keep it under the clients' and the proxy's timeouts. Default 15 s (Cluster:ResponseTimeout 10 s plus a
    /// repeat's worth).
    /// </summary>
    public TimeSpan GrainCallBudget { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Most requests an API node works on at once; one more is answered at once with 503 <c>unavailable</c> and
    /// Retry-After instead of queueing behind the others past its budget (the proxy then sends the client's next try
    /// wherever there is room). The live feed's streams, the health checks and /metrics are not counted. Zero turns
    /// the limit off. Default 1,000 (a node at its measured peak of ~1,500 orders/s holds ~100).
    /// </summary>
    public int MaxRequestsInFlight { get; set; } = 1000;

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        if (SessionExpiry <= TimeSpan.Zero) throw new InvalidOperationException($"Api:{nameof(SessionExpiry)} must be greater than zero.");
        if (MaxRequestBodyBytes <= 0) throw new InvalidOperationException($"Api:{nameof(MaxRequestBodyBytes)} must be greater than zero.");
        if (SessionCacheDuration < TimeSpan.Zero || SessionCacheDuration > TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException($"Api:{nameof(SessionCacheDuration)} must be from 0 (off) to 1 minute.");
        }

        if (SessionCacheCapacity < 1) throw new InvalidOperationException($"Api:{nameof(SessionCacheCapacity)} must be at least 1.");
        foreach (var proxy in TrustedProxies)
        {
            if (!TryParseProxy(proxy, out _)) throw new InvalidOperationException($"Api:{nameof(TrustedProxies)} has '{proxy}', which is not an IP address or CIDR range.");
        }

        if (PublicReadCacheDuration < TimeSpan.Zero || PublicReadCacheDuration > TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException($"Api:{nameof(PublicReadCacheDuration)} must be between 0 and 1 minute.");
        }

        if (MaxRequestsInFlight < 0) throw new InvalidOperationException($"Api:{nameof(MaxRequestsInFlight)} must be 0 (off) or more.");
        if (GrainCallRetries is < 0 or > 3) throw new InvalidOperationException($"Api:{nameof(GrainCallRetries)} must be 0 to 3.");
        if (GrainCallBudget <= TimeSpan.Zero || GrainCallBudget > TimeSpan.FromMinutes(2))
        {
            throw new InvalidOperationException($"Api:{nameof(GrainCallBudget)} must be greater than zero and at most 2 minutes.");
        }

        if (PublicUrl is { IsAbsoluteUri: false }) throw new InvalidOperationException($"Api:{nameof(PublicUrl)} must be an absolute URL.");
    }

    /// <summary>An address ("10.0.0.5") or a range ("10.0.0.0/8") of <see cref="TrustedProxies"/>.</summary>
    internal static bool TryParseProxy(string value, out IPNetwork network)
    {
        if (IPAddress.TryParse(value, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return IPNetwork.TryParse(value, out network);
    }
}

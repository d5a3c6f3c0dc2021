using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FleaMarket.Cluster.Tests.MultiProcess;

/// <summary>A signed-up user with a live session.</summary>
internal sealed record Shopper(string Username, string UserId, string Token)
{
    /// <summary>The session grain's key: the token's hex SHA-256 (src/Api/Auth/SessionTokens.cs).</summary>
    public string SessionKey => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Token)));
}

/// <summary>An acknowledged order as the buyer got it: when the attempt that got the answer was sent, and when it was answered.</summary>
internal sealed record Acknowledged(string Key, string OrderId, string ListingId, int Quantity, DateTime AttemptStartedAt, DateTime AnsweredAt);

/// <summary>Counts of what buyers went through while the cluster failed under them.</summary>
internal sealed class RetryCounts
{
    private int _unavailable;
    private int _transport;

    public int Unavailable => _unavailable;

    public int Transport => _transport;

    public void CountUnavailable() => Interlocked.Increment(ref _unavailable);

    public void CountTransport() => Interlocked.Increment(ref _transport);

    public override string ToString() => $"{Unavailable} answers 503, {Transport} transport errors or timeouts";
}

/// <summary>The flea market's HTTP contract (api.md) in the steps the cluster tests take.</summary>
internal static class Shop
{
    private const string Password = "correct-horse-battery";

    public static async Task<Shopper> SignUpAsync(ApiClient api, string username, TimeSpan? retryFor = null)
    {
        var user = await api.SendAsync(HttpMethod.Post, "/api/users", new { username, password = Password, displayName = username }, HttpStatusCode.Created, retryFor: retryFor);
        var token = await LogInAsync(api, username, retryFor);
        return new Shopper(username, user.GetProperty("userId").GetString()!, token);
    }

    public static async Task<string> LogInAsync(ApiClient api, string username, TimeSpan? retryFor = null)
    {
        var session = await api.SendAsync(HttpMethod.Post, "/api/sessions", new { username, password = Password }, HttpStatusCode.Created, retryFor: retryFor);
        return session.GetProperty("token").GetString()!;
    }

    /// <summary>Opens a market (open since a minute ago unless <paramref name="opensAt"/> says otherwise); returns its id.</summary>
    public static async Task<string> OpenMarketAsync(ApiClient api, Shopper seller, string title, DateTimeOffset? opensAt = null, TimeSpan? retryFor = null)
    {
        var market = await api.SendAsync(HttpMethod.Post, "/api/markets",
            new { title, opensAt = opensAt ?? DateTimeOffset.UtcNow.AddMinutes(-1) }, HttpStatusCode.Created, seller.Token, retryFor: retryFor);
        return market.GetProperty("marketId").GetString()!;
    }

    public static async Task<string> AddListingAsync(ApiClient api, Shopper seller, string marketId, string title, int quantity, TimeSpan? retryFor = null)
    {
        var listing = await api.SendAsync(HttpMethod.Post, $"/api/markets/{marketId}/listings",
            new { title, priceCents = 1500, quantity }, HttpStatusCode.Created, seller.Token, retryFor: retryFor);
        return listing.GetProperty("listingId").GetString()!;
    }

    public static async Task<int> RemainingAsync(ApiClient api, string listingId, TimeSpan? retryFor = null) =>
        (await api.SendAsync(HttpMethod.Get, $"/api/listings/{listingId}", null, HttpStatusCode.OK, retryFor: retryFor)).GetProperty("remaining").GetInt32();

    /// <summary>
    /// Order ids of the signed-in buyer (GET /api/me/orders, one page of up to 1000). Not the default page of 100:
    /// while a silo is down, a buyer whose grains survived can buy well over a hundred units of a drop alone.
    /// </summary>
    public static async Task<IReadOnlyList<string>> MyOrderIdsAsync(ApiClient api, Shopper buyer, TimeSpan? retryFor = null) =>
        OrderIds(await api.SendAsync(HttpMethod.Get, "/api/me/orders?limit=1000", null, HttpStatusCode.OK, buyer.Token, retryFor: retryFor));

    /// <summary>Every order of a market, as its seller sees them (GET /api/markets/{id}/orders, one page of up to 1000).</summary>
    public static async Task<JsonElement> MarketOrdersAsync(ApiClient api, Shopper seller, string marketId, TimeSpan? retryFor = null) =>
        await api.SendAsync(HttpMethod.Get, $"/api/markets/{marketId}/orders?limit=1000", null, HttpStatusCode.OK, seller.Token, retryFor: retryFor);

    public static IReadOnlyList<string> OrderIds(JsonElement orders) => [.. orders.EnumerateArray().Select(o => o.GetProperty("orderId").GetString()!)];

    /// <summary>
    /// Buys as a client should while the cluster fails under it: a 503 or a transport error (connection refused or
    /// reset, no answer within <paramref name="attemptTimeout"/>) is retried with the same Idempotency-Key until the
    /// purchase is answered for good. Returns the order (201, or 200 for a replay), or null for 409 sold-out; any
    /// other answer fails the test, and so does no answer within <paramref name="deadline"/>.
    /// </summary>
    public static async Task<Acknowledged?> BuyUntilAnsweredAsync(ApiClient api, Shopper buyer, string listingId, int quantity, string key,
        TimeSpan attemptTimeout, DateTime deadline, RetryCounts counts)
    {
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Purchase {key} of {buyer.Username} was not answered for good before the deadline ({counts}).");
            ApiAnswer answer;
            var startedAt = DateTime.UtcNow;
            try
            {
                answer = await api.TrySendAsync(HttpMethod.Post, $"/api/listings/{listingId}/purchases", new { quantity }, buyer.Token, key, attemptTimeout);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                counts.CountTransport();
                continue;
            }

            switch (answer.Status)
            {
                case HttpStatusCode.Created or HttpStatusCode.OK:
                    Assert.Equal(quantity, answer.Body.GetProperty("quantity").GetInt32());
                    return new Acknowledged(key, answer.Body.GetProperty("orderId").GetString()!, listingId, quantity, startedAt, DateTime.UtcNow);
                case HttpStatusCode.Conflict when answer.ProblemCode == "sold-out":
                    return null;
                case HttpStatusCode.ServiceUnavailable:
                    Assert.Equal("unavailable", answer.ProblemCode);
                    Assert.NotNull(answer.RetryAfter);
                    counts.CountUnavailable();
                    // Retry-After is in whole seconds; a tenth of one keeps the test short without hammering.
                    await Task.Delay(100);
                    continue;
                default:
                    throw new InvalidOperationException($"Purchase {key} of {buyer.Username} answered {(int)answer.Status}: {answer.Body}");
            }
        }
    }
}

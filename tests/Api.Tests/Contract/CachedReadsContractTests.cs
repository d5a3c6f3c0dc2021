using System.Net;
using System.Net.Http.Headers;
using FleaMarket.Api.Tests.Infrastructure;

namespace FleaMarket.Api.Tests.Contract;

/// <summary>api.md: GET market and GET listing carry an ETag, answer If-None-Match with 304, and are at most a second stale.</summary>
public sealed class CachedReadsContractTests(CachedReadsFixture fixture) : IClassFixture<CachedReadsFixture>
{
    private readonly HttpClient _http = fixture.NewClient();

    public static TheoryData<string> Resources => new() { "listing", "market" };

    [Theory]
    [MemberData(nameof(Resources))]
    public async Task Get_IfNoneMatchWithCurrentETag_Returns304WithoutBody(string resource)
    {
        var stall = await Stall.OpenAsync(_http);
        var path = Path(resource, stall);
        var first = await _http.GetAsync(path);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);

        var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(etag);
        var response = await _http.SendAsync(again);

        Assert.Equal(HttpStatusCode.NotModified, response.StatusCode);
        Assert.Equal(etag, response.Headers.ETag);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [MemberData(nameof(Resources))]
    public async Task Get_AfterAPurchase_NewETagWithinASecondAndAtOnceWithNoCache(string resource)
    {
        var stall = await Stall.OpenAsync(_http, quantity: 5);
        var path = Path(resource, stall);
        var before = (await _http.GetAsync(path)).Headers.ETag!;
        var buyer = await Shopper.SignUpAsync(_http);
        Assert.Equal(HttpStatusCode.Created, (await buyer.PurchaseAsync(stall.ListingId, 1)).StatusCode);

        var fresh = new HttpRequestMessage(HttpMethod.Get, path);
        fresh.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        fresh.Headers.IfNoneMatch.Add(before);
        var readThrough = await _http.SendAsync(fresh);

        Assert.Equal(HttpStatusCode.OK, readThrough.StatusCode);
        Assert.NotEqual(before, readThrough.Headers.ETag);
        await Eventually.WaitUntilAsync(async () => Equals((await _http.GetAsync(path)).Headers.ETag, readThrough.Headers.ETag),
            TimeSpan.FromSeconds(5), "plain reads see the purchase once the cached copy expires");
    }

    [Fact]
    public async Task GetListing_Unknown_Returns404AndIsNotCached()
    {
        var path = "/api/listings/l_00000000000000000000000000000000";

        await ApiAssert.ProblemAsync(await _http.GetAsync(path), HttpStatusCode.NotFound, "not-found");
        await ApiAssert.ProblemAsync(await _http.GetAsync(path), HttpStatusCode.NotFound, "not-found");
    }

    private static string Path(string resource, Stall stall) =>
        resource == "listing" ? $"/api/listings/{stall.ListingId}" : $"/api/markets/{stall.MarketId}";
}

/// <summary>The cache itself: within its duration a plain read is served from the node's copy, not the grain.</summary>
public sealed class CachedReadsCacheTests(LongCachedReadsFixture fixture) : IClassFixture<LongCachedReadsFixture>
{
    private readonly HttpClient _http = fixture.NewClient();

    [Fact]
    public async Task GetListing_WithinTheCacheDuration_ServesTheCachedCopyUntilANoCacheRead()
    {
        var stall = await Stall.OpenAsync(_http, quantity: 5);
        var path = $"/api/listings/{stall.ListingId}";
        var cached = await (await _http.GetAsync(path)).ReadJsonAsync();
        var buyer = await Shopper.SignUpAsync(_http);
        Assert.Equal(HttpStatusCode.Created, (await buyer.PurchaseAsync(stall.ListingId, 1)).StatusCode);

        var stale = await (await _http.GetAsync(path)).ReadJsonAsync();
        var fresh = new HttpRequestMessage(HttpMethod.Get, path);
        fresh.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        var readThrough = await (await _http.SendAsync(fresh)).ReadJsonAsync();
        var refreshed = await (await _http.GetAsync(path)).ReadJsonAsync();

        Assert.Equal(5, cached.Long("remaining"));
        Assert.Equal(5, stale.Long("remaining"));
        Assert.Equal(4, readThrough.Long("remaining"));
        Assert.Equal(4, refreshed.Long("remaining"));
    }
}

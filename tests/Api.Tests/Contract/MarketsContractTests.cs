using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using FleaMarket.Api.Tests.Infrastructure;

namespace FleaMarket.Api.Tests.Contract;

/// <summary>api.md, "Markets and listings": every row, its success shape and each listed error.</summary>
public sealed class MarketsContractTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>
{
    internal static readonly string[] MarketFields = ["marketId", "sellerId", "title", "description", "opensAt", "closesAt", "status"];
    internal static readonly string[] ListingFields = ["listingId", "marketId", "title", "description", "priceCents", "quantity", "remaining", "maxPerBuyer", "status"];
    private static readonly string[] MarketWithListingsFields = [.. MarketFields, "listings"];

    private readonly HttpClient _http = fixture.NewClient();

    public static TheoryData<int, int?, string> MarketTimes => new()
    {
        { -60, null, "open" },
        { -60, 60, "open" },
        { 60, 120, "scheduled" },
        { -120, -60, "closed" },
    };

    [Theory]
    [MemberData(nameof(MarketTimes))]
    public async Task CreateMarket_ValidBody_Returns201WithMarketFieldsAndStatus(int opensInMinutes, int? closesInMinutes, string status)
    {
        var seller = await Shopper.SignUpAsync(_http);
        var opensAt = DateTimeOffset.UtcNow.AddMinutes(opensInMinutes);
        DateTimeOffset? closesAt = closesInMinutes is { } c ? DateTimeOffset.UtcNow.AddMinutes(c) : null;

        var response = await seller.SendAsync(HttpMethod.Post, "/api/markets", new { title = "Spring drop", description = "Lamps", opensAt, closesAt });

        var market = await ApiAssert.JsonAsync(response, HttpStatusCode.Created, MarketFields);
        Assert.StartsWith("m_", market.Str("marketId"), StringComparison.Ordinal);
        Assert.Equal(seller.UserId, market.Str("sellerId"));
        Assert.Equal("Spring drop", market.Str("title"));
        Assert.Equal("Lamps", market.Str("description"));
        Assert.Equal(opensAt, ApiAssert.UtcTimestamp(market.GetProperty("opensAt")), TimeSpan.FromMilliseconds(1));
        if (closesAt is null) Assert.Equal(JsonValueKind.Null, market.GetProperty("closesAt").ValueKind);
        else Assert.Equal(closesAt.Value, ApiAssert.UtcTimestamp(market.GetProperty("closesAt")), TimeSpan.FromMilliseconds(1));
        Assert.Equal(status, market.Str("status"));
    }

    [Fact]
    public async Task CreateMarket_OnlyRequiredFields_Returns201WithNullOptionalFields()
    {
        var seller = await Shopper.SignUpAsync(_http);

        var response = await seller.SendAsync(HttpMethod.Post, "/api/markets", new { title = "Drop", opensAt = DateTimeOffset.UtcNow });

        var market = await ApiAssert.JsonAsync(response, HttpStatusCode.Created, MarketFields);
        Assert.Equal(JsonValueKind.Null, market.GetProperty("description").ValueKind);
        Assert.Equal(JsonValueKind.Null, market.GetProperty("closesAt").ValueKind);
    }

    [Fact]
    public async Task CreateMarket_OpensAtWithOffset_ReturnsSameInstantInUtc()
    {
        var seller = await Shopper.SignUpAsync(_http);

        var local = new DateTimeOffset(DateTimeOffset.UtcNow.AddDays(1).DateTime.Date.AddHours(12), TimeSpan.FromHours(2));

        var response = await seller.SendAsync(HttpMethod.Post, "/api/markets", new { title = "Drop", opensAt = local.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture) });

        var market = await ApiAssert.JsonAsync(response, HttpStatusCode.Created, MarketFields);
        var opensAt = ApiAssert.UtcTimestamp(market.GetProperty("opensAt"));
        Assert.Equal(local, opensAt);
        Assert.Equal(TimeSpan.Zero, opensAt.Offset);
    }

    [Theory]
    [InlineData(40)]
    [InlineData(60)]
    [InlineData(365)]
    [InlineData(365 * 50)]
    public async Task CreateMarket_OpensFarInTheFuture_Returns201Scheduled(int days)
    {
        var seller = await Shopper.SignUpAsync(_http);

        var response = await seller.SendAsync(HttpMethod.Post, "/api/markets", new { title = "Next season", opensAt = DateTimeOffset.UtcNow.AddDays(days) });

        var market = await ApiAssert.JsonAsync(response, HttpStatusCode.Created, MarketFields);
        Assert.Equal("scheduled", market.Str("status"));
    }

    public static TheoryData<string> InvalidMarkets => new()
    {
        """{"opensAt":"2030-01-01T00:00:00Z"}""",
        """{"title":"","opensAt":"2030-01-01T00:00:00Z"}""",
        """{"title":"Drop"}""",
        """{"title":"Drop","opensAt":"2030-01-01T00:00:00Z","closesAt":"2030-01-01T00:00:00Z"}""",
        """{"title":"Drop","opensAt":"2030-01-01T00:00:00Z","closesAt":"2029-01-01T00:00:00Z"}""",
        """{"title":"Drop","opensAt":"not a date"}""",
    };

    [Theory]
    [MemberData(nameof(InvalidMarkets))]
    public async Task CreateMarket_InvalidBody_Returns400Validation(string body)
    {
        var seller = await Shopper.SignUpAsync(_http);
        var request = seller.Request(HttpMethod.Post, "/api/markets");
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");

        var response = await _http.SendAsync(request);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.Empty((await (await _http.GetAsync($"/api/users/{seller.UserId}/markets")).ReadJsonAsync()).EnumerateArray());
    }

    [Fact]
    public async Task GetMarket_Existing_Returns200WithMarketFieldsAndListings()
    {
        var stall = await Stall.OpenAsync(_http, quantity: 4, maxPerBuyer: 2);

        var market = await ApiAssert.JsonAsync(await _http.GetAsync($"/api/markets/{stall.MarketId}"), HttpStatusCode.OK, MarketWithListingsFields);

        Assert.Equal(stall.MarketId, market.Str("marketId"));
        Assert.Equal("open", market.Str("status"));
        var listing = Assert.Single(market.GetProperty("listings").EnumerateArray());
        ApiAssert.Fields(listing, ListingFields);
        Assert.Equal(stall.ListingId, listing.Str("listingId"));
    }

    [Theory]
    [InlineData("m_00000000000000000000000000000000")]
    [InlineData("m_0123456789abcdef0123456789abcdef")]
    [InlineData("not-a-market")]
    [InlineData("l_0123456789abcdef0123456789abcdef")]
    public async Task GetMarket_Unknown_Returns404NotFound(string marketId)
    {
        await ApiAssert.ProblemAsync(await _http.GetAsync($"/api/markets/{marketId}"), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task GetUserMarkets_Seller_Returns200WithMarkets()
    {
        var stall = await Stall.OpenAsync(_http);
        var second = await stall.Seller.CreateMarketAsync(DateTimeOffset.UtcNow.AddDays(1));

        var markets = await ApiAssert.JsonAsync(await _http.GetAsync($"/api/users/{stall.Seller.UserId}/markets"), HttpStatusCode.OK);

        Assert.Equal(JsonValueKind.Array, markets.ValueKind);
        foreach (var market in markets.EnumerateArray()) ApiAssert.Fields(market, MarketFields);
        Assert.Equal(
            new[] { stall.MarketId, second.Str("marketId") }.Order(StringComparer.Ordinal),
            markets.EnumerateArray().Select(m => m.Str("marketId")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetUserMarkets_UserWithoutMarkets_Returns200EmptyArray()
    {
        var user = await Shopper.SignUpAsync(_http);

        var markets = await ApiAssert.JsonAsync(await _http.GetAsync($"/api/users/{user.UserId}/markets"), HttpStatusCode.OK);

        Assert.Empty(markets.EnumerateArray());
    }

    [Theory]
    [InlineData("u_0123456789abcdef0123456789abcdef")]
    [InlineData("nobody")]
    public async Task GetUserMarkets_UnknownUser_Returns404NotFound(string userId)
    {
        await ApiAssert.ProblemAsync(await _http.GetAsync($"/api/users/{userId}/markets"), HttpStatusCode.NotFound, "not-found");
    }

    public static TheoryData<int, int?, string> ListingTimes => new()
    {
        { -60, null, "on-sale" },
        { 60, null, "scheduled" },
        { -120, -60, "closed" },
    };

    [Theory]
    [MemberData(nameof(ListingTimes))]
    public async Task AddListing_Seller_Returns201WithListingFieldsAndStatus(int opensInMinutes, int? closesInMinutes, string status)
    {
        var seller = await Shopper.SignUpAsync(_http);
        var market = await seller.CreateMarketAsync(
            DateTimeOffset.UtcNow.AddMinutes(opensInMinutes), closesInMinutes is { } c ? DateTimeOffset.UtcNow.AddMinutes(c) : null);

        var response = await seller.SendAsync(HttpMethod.Post, $"/api/markets/{market.Str("marketId")}/listings",
            new { title = "Lamp", description = "Brass", priceCents = 1999, quantity = 7, maxPerBuyer = 2 });

        var listing = await ApiAssert.JsonAsync(response, HttpStatusCode.Created, ListingFields);
        Assert.StartsWith("l_", listing.Str("listingId"), StringComparison.Ordinal);
        Assert.Equal(market.Str("marketId"), listing.Str("marketId"));
        Assert.Equal("Lamp", listing.Str("title"));
        Assert.Equal("Brass", listing.Str("description"));
        Assert.Equal(1999, listing.Long("priceCents"));
        Assert.Equal(7, listing.Long("quantity"));
        Assert.Equal(7, listing.Long("remaining"));
        Assert.Equal(2, listing.Long("maxPerBuyer"));
        Assert.Equal(status, listing.Str("status"));
    }

    [Fact]
    public async Task AddListing_OnlyRequiredFields_Returns201WithNullOptionalFields()
    {
        var seller = await Shopper.SignUpAsync(_http);
        var market = await seller.CreateMarketAsync(DateTimeOffset.UtcNow);

        var response = await seller.SendAsync(HttpMethod.Post, $"/api/markets/{market.Str("marketId")}/listings", new { title = "Lamp", priceCents = 1, quantity = 1 });

        var listing = await ApiAssert.JsonAsync(response, HttpStatusCode.Created, ListingFields);
        Assert.Equal(JsonValueKind.Null, listing.GetProperty("description").ValueKind);
        Assert.Equal(JsonValueKind.Null, listing.GetProperty("maxPerBuyer").ValueKind);
    }

    public static TheoryData<string> InvalidListings => new()
    {
        """{"priceCents":100,"quantity":1}""",
        """{"title":"Lamp","quantity":1}""",
        """{"title":"Lamp","priceCents":100}""",
        """{"title":"Lamp","priceCents":0,"quantity":1}""",
        """{"title":"Lamp","priceCents":100000001,"quantity":1}""",
        """{"title":"Lamp","priceCents":100,"quantity":0}""",
        """{"title":"Lamp","priceCents":100,"quantity":1000001}""",
        """{"title":"Lamp","priceCents":100,"quantity":1,"maxPerBuyer":0}""",
    };

    [Theory]
    [MemberData(nameof(InvalidListings))]
    public async Task AddListing_InvalidBody_Returns400Validation(string body)
    {
        var stall = await Stall.OpenAsync(_http);
        var request = stall.Seller.Request(HttpMethod.Post, $"/api/markets/{stall.MarketId}/listings");
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");

        await ApiAssert.ProblemAsync(await _http.SendAsync(request), HttpStatusCode.BadRequest, "validation");
        Assert.Single((await (await _http.GetAsync($"/api/markets/{stall.MarketId}")).ReadJsonAsync()).GetProperty("listings").EnumerateArray());
    }

    [Fact]
    public async Task AddListing_NotTheSeller_Returns403Forbidden()
    {
        var stall = await Stall.OpenAsync(_http);
        var other = await Shopper.SignUpAsync(_http);

        var response = await other.SendAsync(HttpMethod.Post, $"/api/markets/{stall.MarketId}/listings", new { title = "Fake", priceCents = 1, quantity = 1 });

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
        Assert.Single((await (await _http.GetAsync($"/api/markets/{stall.MarketId}")).ReadJsonAsync()).GetProperty("listings").EnumerateArray());
    }

    [Theory]
    [InlineData("m_0123456789abcdef0123456789abcdef")]
    [InlineData("nope")]
    public async Task AddListing_UnknownMarket_Returns404NotFound(string marketId)
    {
        var seller = await Shopper.SignUpAsync(_http);

        var response = await seller.SendAsync(HttpMethod.Post, $"/api/markets/{marketId}/listings", new { title = "Lamp", priceCents = 1, quantity = 1 });

        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task GetListing_Existing_Returns200WithListingFields()
    {
        var stall = await Stall.OpenAsync(_http, quantity: 3);

        var listing = await ApiAssert.JsonAsync(await _http.GetAsync($"/api/listings/{stall.ListingId}"), HttpStatusCode.OK, ListingFields);

        Assert.Equal(stall.ListingId, listing.Str("listingId"));
        Assert.Equal(stall.MarketId, listing.Str("marketId"));
        Assert.Equal(3, listing.Long("remaining"));
        Assert.Equal("on-sale", listing.Str("status"));
    }

    [Theory]
    [InlineData("l_0123456789abcdef0123456789abcdef")]
    [InlineData("lamp")]
    [InlineData("m_0123456789abcdef0123456789abcdef")]
    public async Task GetListing_Unknown_Returns404NotFound(string listingId)
    {
        await ApiAssert.ProblemAsync(await _http.GetAsync($"/api/listings/{listingId}"), HttpStatusCode.NotFound, "not-found");
    }
}

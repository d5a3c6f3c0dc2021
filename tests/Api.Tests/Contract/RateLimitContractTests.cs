using System.Net;
using System.Net.Http.Json;
using FleaMarket.Api.Tests.Infrastructure;

namespace FleaMarket.Api.Tests.Contract;

/// <summary>
/// api.md and docs/security.md: the abuse limits answer 429 <c>rate-limited</c> with Retry-After, count strangers'
/// failures against the strangers, and never lock an owner out from another address for longer than a minute.
/// </summary>
public sealed class RateLimitContractTests(LowLimitsFixture fixture) : IClassFixture<LowLimitsFixture>
{
    private const string Password = "correct horse";

    [Fact]
    public async Task CreateSession_StrangerGuessesPasswords_OwnerFromAnotherAddressStillLogsIn()
    {
        var username = await RegisterAsync();
        var stranger = fixture.NewClient(ApiClusterFixture.NewPeer());
        for (var i = 0; i < LowLimitsFixture.FailuresPerUsernameAndAddress; i++)
        {
            await ApiAssert.ProblemAsync(await LoginAsync(stranger, username, $"guess-{i:D4}"), HttpStatusCode.Unauthorized, "invalid-credentials");
        }

        var refused = await LoginAsync(stranger, username, $"guess-last");
        await AssertTooManyAsync(refused, maxSeconds: 15 * 60);
        // The stranger is refused even with the right password: a limit that let it through would tell it so.
        await AssertTooManyAsync(await LoginAsync(stranger, username, Password), maxSeconds: 15 * 60);

        var owner = await LoginAsync(fixture.NewClient(ApiClusterFixture.NewPeer()), username, Password);

        Assert.Equal(HttpStatusCode.Created, owner.StatusCode);
    }

    [Fact]
    public async Task CreateSession_OneAddressGuessingManyUsernames_Returns429WithRetryAfter()
    {
        var stranger = fixture.NewClient(ApiClusterFixture.NewPeer());
        for (var i = 0; i < LowLimitsFixture.FailuresPerAddress; i++)
        {
            await ApiAssert.ProblemAsync(await LoginAsync(stranger, await RegisterAsync(), "wrong password"), HttpStatusCode.Unauthorized, "invalid-credentials");
        }

        await AssertTooManyAsync(await LoginAsync(stranger, await RegisterAsync(), "wrong password"), maxSeconds: 15 * 60);
    }

    [Fact]
    public async Task CreateSession_GuessesFromManyAddresses_LockOutTheUsernameForAtMostAMinute()
    {
        var username = await RegisterAsync();
        for (var i = 0; i < LowLimitsFixture.FailuresPerUsername; i++)
        {
            var guess = await LoginAsync(fixture.NewClient(ApiClusterFixture.NewPeer()), username, $"guess-{i:D4}");
            await ApiAssert.ProblemAsync(guess, HttpStatusCode.Unauthorized, "invalid-credentials");
        }

        var owner = await LoginAsync(fixture.NewClient(ApiClusterFixture.NewPeer()), username, Password);

        await AssertTooManyAsync(owner, maxSeconds: 60);
    }

    [Fact]
    public async Task CreateSession_RightPasswordsNeverCountAsFailures_OwnerLogsInRepeatedly()
    {
        var username = await RegisterAsync();
        var owner = fixture.NewClient(ApiClusterFixture.NewPeer());
        for (var i = 0; i < LowLimitsFixture.FailuresPerUsernameAndAddress * 3; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await LoginAsync(owner, username, Password)).StatusCode);
        }
    }

    [Fact]
    public async Task CreateSession_MoreLoginsPerAddressThanAllowed_Returns429WithRetryAfter()
    {
        var username = await RegisterAsync();
        var client = fixture.NewClient(ApiClusterFixture.NewPeer());
        for (var i = 0; i < LowLimitsFixture.LoginsPerAddress; i++) Assert.Equal(HttpStatusCode.Created, (await LoginAsync(client, username, Password)).StatusCode);

        await AssertTooManyAsync(await LoginAsync(client, username, Password), maxSeconds: 60);
    }

    [Fact]
    public async Task RegisterUser_MoreThanAllowedFromOneAddress_Returns429AndOtherAddressesRegister()
    {
        var client = fixture.NewClient(ApiClusterFixture.NewPeer());
        for (var i = 0; i < LowLimitsFixture.RegistrationsPerAddress; i++) Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(client)).Response.StatusCode);

        var (refused, username) = await RegisterAsync(client);
        await AssertTooManyAsync(refused, maxSeconds: 10 * 60);
        var elsewhere = await RegisterAsync(fixture.NewClient(ApiClusterFixture.NewPeer()));

        Assert.Equal(HttpStatusCode.Created, elsewhere.Response.StatusCode);
        // Refused means not made: the name is still free.
        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(fixture.NewClient(ApiClusterFixture.NewPeer()), username)).Response.StatusCode);
    }

    [Fact]
    public async Task RegisterUser_ForgedForwardedForFromAnUntrustedPeer_CountsAgainstThePeer()
    {
        var client = fixture.NewClient(ApiClusterFixture.NewPeer());
        for (var i = 0; i < LowLimitsFixture.RegistrationsPerAddress; i++) Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(client)).Response.StatusCode);

        client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.77");

        await AssertTooManyAsync((await RegisterAsync(client)).Response, maxSeconds: 10 * 60);
    }

    [Fact]
    public async Task RegisterUser_ThroughTheTrustedProxy_CountsAgainstTheForwardedClient()
    {
        var proxy = fixture.NewClient(LowLimitsFixture.Proxy);
        var client = ApiClusterFixture.NewPeer().ToString();
        proxy.DefaultRequestHeaders.Add("X-Forwarded-For", client);
        for (var i = 0; i < LowLimitsFixture.RegistrationsPerAddress; i++) Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(proxy)).Response.StatusCode);
        await AssertTooManyAsync((await RegisterAsync(proxy)).Response, maxSeconds: 10 * 60);

        proxy.DefaultRequestHeaders.Remove("X-Forwarded-For");
        proxy.DefaultRequestHeaders.Add("X-Forwarded-For", ApiClusterFixture.NewPeer().ToString());

        Assert.Equal(HttpStatusCode.Created, (await RegisterAsync(proxy)).Response.StatusCode);
    }

    [Fact]
    public async Task Purchase_OneBuyerFasterThanAllowed_Returns429WithRetryAfterAndOtherBuyersBuy()
    {
        var seller = await Shopper.SignUpAsync(fixture.NewClient(ApiClusterFixture.NewPeer()));
        var market = await seller.CreateMarketAsync(DateTimeOffset.UtcNow.AddMinutes(-1));
        var listing = (await seller.AddListingAsync(market.Str("marketId"), quantity: 1000)).Str("listingId");
        var buyer = await Shopper.SignUpAsync(fixture.NewClient(ApiClusterFixture.NewPeer()));

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < LowLimitsFixture.PurchaseBurst * 3; i++) answers.Add(await buyer.PurchaseAsync(listing, 1));

        Assert.True(answers.Count(a => a.StatusCode == HttpStatusCode.Created) >= LowLimitsFixture.PurchaseBurst);
        await AssertTooManyAsync(answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests), maxSeconds: 5);
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.TooManyRequests }));
        var other = await Shopper.SignUpAsync(fixture.NewClient(ApiClusterFixture.NewPeer()));
        Assert.Equal(HttpStatusCode.Created, (await other.PurchaseAsync(listing, 1)).StatusCode);
    }

    [Fact]
    public async Task GetListing_OneAddressFasterThanAllowed_Returns429WithRetryAfterAndOtherAddressesRead()
    {
        var seller = await Shopper.SignUpAsync(fixture.NewClient(ApiClusterFixture.NewPeer()));
        var market = await seller.CreateMarketAsync(DateTimeOffset.UtcNow.AddDays(1));
        var listing = (await seller.AddListingAsync(market.Str("marketId"), quantity: 1)).Str("listingId");
        var reader = fixture.NewClient(ApiClusterFixture.NewPeer());

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < LowLimitsFixture.ReadBurst * 3; i++) answers.Add(await reader.GetAsync($"/api/listings/{listing}"));

        Assert.True(answers.Count(a => a.StatusCode == HttpStatusCode.OK) >= LowLimitsFixture.ReadBurst);
        await AssertTooManyAsync(answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests), maxSeconds: 5);
        Assert.Equal(HttpStatusCode.OK, (await fixture.NewClient(ApiClusterFixture.NewPeer()).GetAsync($"/api/listings/{listing}")).StatusCode);
    }

    private static async Task AssertTooManyAsync(HttpResponseMessage response, int maxSeconds)
    {
        await ApiAssert.ProblemAsync(response, HttpStatusCode.TooManyRequests, "rate-limited");
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, maxSeconds);
    }

    private async Task<string> RegisterAsync()
    {
        var (response, username) = await RegisterAsync(fixture.NewClient(ApiClusterFixture.NewPeer()));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return username;
    }

    private static async Task<(HttpResponseMessage Response, string Username)> RegisterAsync(HttpClient client, string? username = null)
    {
        username ??= Shopper.NewUsername();
        return (await client.PostAsJsonAsync("/api/users", new { username, password = Password, displayName = "Ada" }), username);
    }

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string username, string password) =>
        client.PostAsJsonAsync("/api/sessions", new { username, password });
}

using System.Net;
using System.Net.Http.Json;
using FleaMarket.Api.Tests.Infrastructure;

namespace FleaMarket.Api.Tests.Contract;

/// <summary>api.md, POST /api/sessions → 429 <c>rate-limited</c>, per username (against password guessing).</summary>
public sealed class UsernameRateLimitContractTests(LowUsernameLimitFixture fixture) : IClassFixture<LowUsernameLimitFixture>
{
    private readonly HttpClient _http = fixture.NewClient();

    [Fact]
    public async Task CreateSession_MoreLoginsPerUsernameThanAllowed_Returns429RateLimited()
    {
        var username = Shopper.NewUsername();
        await _http.PostAsJsonAsync("/api/users", new { username, password = "correct horse", displayName = "Ada" });
        for (var i = 0; i < LowUsernameLimitFixture.Limit; i++) await Shopper.LoginAsync(_http, username, "correct horse");

        var response = await _http.PostAsJsonAsync("/api/sessions", new { username, password = "correct horse" });

        await ApiAssert.ProblemAsync(response, HttpStatusCode.TooManyRequests, "rate-limited");
    }

    [Fact]
    public async Task CreateSession_GuessingPasswords_Returns429RateLimitedEvenForTheRightPassword()
    {
        var username = Shopper.NewUsername();
        await _http.PostAsJsonAsync("/api/users", new { username, password = "correct horse", displayName = "Ada" });
        for (var i = 0; i < LowUsernameLimitFixture.Limit; i++)
        {
            var guess = await _http.PostAsJsonAsync("/api/sessions", new { username = username.ToUpperInvariant(), password = $"guess-{i:D4}" });
            await ApiAssert.ProblemAsync(guess, HttpStatusCode.Unauthorized, "invalid-credentials");
        }

        var response = await _http.PostAsJsonAsync("/api/sessions", new { username, password = "correct horse" });

        await ApiAssert.ProblemAsync(response, HttpStatusCode.TooManyRequests, "rate-limited");
    }

    [Fact]
    public async Task CreateSession_OtherUsernameAfterLimit_Returns201()
    {
        var limited = Shopper.NewUsername();
        await _http.PostAsJsonAsync("/api/users", new { username = limited, password = "correct horse", displayName = "Ada" });
        for (var i = 0; i <= LowUsernameLimitFixture.Limit; i++) await _http.PostAsJsonAsync("/api/sessions", new { username = limited, password = "correct horse" });

        var other = Shopper.NewUsername();
        await _http.PostAsJsonAsync("/api/users", new { username = other, password = "correct horse", displayName = "Bob" });
        var response = await _http.PostAsJsonAsync("/api/sessions", new { username = other, password = "correct horse" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}

/// <summary>api.md, POST /api/sessions → 429 <c>rate-limited</c>, per client address. One test: the window is shared by the class.</summary>
public sealed class AddressRateLimitContractTests(LowAddressLimitFixture fixture) : IClassFixture<LowAddressLimitFixture>
{
    private readonly HttpClient _http = fixture.NewClient();

    [Fact]
    public async Task CreateSession_MoreLoginsPerAddressThanAllowed_Returns429RateLimited()
    {
        var usernames = Enumerable.Range(0, LowAddressLimitFixture.Limit + 1).Select(_ => Shopper.NewUsername()).ToArray();
        foreach (var username in usernames) await _http.PostAsJsonAsync("/api/users", new { username, password = "correct horse", displayName = "Ada" });
        for (var i = 0; i < LowAddressLimitFixture.Limit; i++) await Shopper.LoginAsync(_http, usernames[i], "correct horse");

        var response = await _http.PostAsJsonAsync("/api/sessions", new { username = usernames[^1], password = "correct horse" });

        await ApiAssert.ProblemAsync(response, HttpStatusCode.TooManyRequests, "rate-limited");
    }
}

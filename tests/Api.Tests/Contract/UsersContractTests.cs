using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using FleaMarket.Api.Tests.Infrastructure;

namespace FleaMarket.Api.Tests.Contract;

/// <summary>api.md, "Users and sessions": every row, its success shape and each listed error.</summary>
public sealed class UsersContractTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>
{
    private readonly HttpClient _http = fixture.NewClient();

    [Fact]
    public async Task RegisterUser_ValidBody_Returns201WithUserFields()
    {
        var username = Shopper.NewUsername();
        var response = await _http.PostAsJsonAsync("/api/users", new { username, password = "correct horse", displayName = "Ada" });

        var user = await ApiAssert.JsonAsync(response, HttpStatusCode.Created, "userId", "username", "displayName");
        Assert.False(string.IsNullOrEmpty(user.Str("userId")));
        Assert.Equal(username, user.Str("username"));
        Assert.Equal("Ada", user.Str("displayName"));
    }

    public static TheoryData<string> InvalidRegistrations => new()
    {
        """{"password":"correct horse","displayName":"Ada"}""",
        """{"username":"ab","password":"correct horse","displayName":"Ada"}""",
        """{"username":"has space","password":"correct horse","displayName":"Ada"}""",
        """{"username":"validname","password":"short","displayName":"Ada"}""",
        """{"username":"validname","password":"correct horse","displayName":""}""",
        """{"username":"validname","password":"correct horse"}""",
    };

    [Theory]
    [MemberData(nameof(InvalidRegistrations))]
    public async Task RegisterUser_InvalidBody_Returns400Validation(string body)
    {
        var response = await _http.PostAsync("/api/users", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task RegisterUser_TakenUsername_Returns409UsernameTaken()
    {
        var username = Shopper.NewUsername();
        await _http.PostAsJsonAsync("/api/users", new { username, password = "correct horse", displayName = "First" });

        var response = await _http.PostAsJsonAsync("/api/users", new { username, password = "other horse", displayName = "Second" });

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Conflict, "username-taken");
    }

    [Fact]
    public async Task RegisterUser_UsernameDiffersOnlyInCase_Returns409UsernameTaken()
    {
        var username = Shopper.NewUsername();
        await _http.PostAsJsonAsync("/api/users", new { username, password = "correct horse", displayName = "First" });

        var response = await _http.PostAsJsonAsync("/api/users", new { username = username.ToUpperInvariant(), password = "other horse", displayName = "Second" });

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Conflict, "username-taken");
    }

    [Fact]
    public async Task CreateSession_ValidCredentials_Returns201WithTokenFields()
    {
        var username = Shopper.NewUsername();
        var registered = await (await _http.PostAsJsonAsync("/api/users", new { username, password = "correct horse", displayName = "Ada" })).ReadJsonAsync();

        var response = await _http.PostAsJsonAsync("/api/sessions", new { username, password = "correct horse" });

        var session = await ApiAssert.JsonAsync(response, HttpStatusCode.Created, "token", "userId", "expiresAt");
        Assert.Equal(registered.Str("userId"), session.Str("userId"));
        // At least 128 bits of randomness: 22 or more base64url characters.
        Assert.Matches("^[A-Za-z0-9_-]{22,}$", session.Str("token"));
        var expiresAt = ApiAssert.UtcTimestamp(session.GetProperty("expiresAt"));
        Assert.InRange(expiresAt, DateTimeOffset.UtcNow.AddHours(23), DateTimeOffset.UtcNow.AddHours(25));
    }

    [Fact]
    public async Task CreateSession_UsernameInOtherCase_Returns201ForSameUser()
    {
        var username = Shopper.NewUsername();
        var registered = await (await _http.PostAsJsonAsync("/api/users", new { username, password = "correct horse", displayName = "Ada" })).ReadJsonAsync();

        var response = await _http.PostAsJsonAsync("/api/sessions", new { username = username.ToUpperInvariant(), password = "correct horse" });

        var session = await ApiAssert.JsonAsync(response, HttpStatusCode.Created, "token", "userId", "expiresAt");
        Assert.Equal(registered.Str("userId"), session.Str("userId"));
    }

    public static TheoryData<string> InvalidLogins => new()
    {
        """{"password":"correct horse"}""",
        """{"username":"validname"}""",
        """{"username":"x","password":"correct horse"}""",
        """{"username":"validname","password":"short"}""",
    };

    [Theory]
    [MemberData(nameof(InvalidLogins))]
    public async Task CreateSession_InvalidBody_Returns400Validation(string body)
    {
        var response = await _http.PostAsync("/api/sessions", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task CreateSession_WrongPassword_Returns401InvalidCredentials()
    {
        var username = Shopper.NewUsername();
        await _http.PostAsJsonAsync("/api/users", new { username, password = "correct horse", displayName = "Ada" });

        var response = await _http.PostAsJsonAsync("/api/sessions", new { username, password = "wrong horse" });

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "invalid-credentials");
    }

    [Fact]
    public async Task CreateSession_UnknownUsername_Returns401InvalidCredentials()
    {
        var response = await _http.PostAsJsonAsync("/api/sessions", new { username = Shopper.NewUsername(), password = "correct horse" });

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "invalid-credentials");
    }

    [Fact]
    public async Task EndSession_LiveToken_Returns204AndTokenStopsWorking()
    {
        var user = await Shopper.SignUpAsync(_http);

        var response = await user.SendAsync(HttpMethod.Delete, "/api/sessions/current");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        await ApiAssert.ProblemAsync(await user.SendAsync(HttpMethod.Get, "/api/me"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task EndSession_OtherSessionOfSameUser_KeepsWorking()
    {
        var username = Shopper.NewUsername();
        var user = await Shopper.SignUpAsync(_http, username);
        var other = await Shopper.LoginAsync(_http, username, "correct horse");

        await user.SendAsync(HttpMethod.Delete, "/api/sessions/current");

        var otherUser = new Shopper(_http, user.UserId, other.Str("token"));
        Assert.Equal(HttpStatusCode.OK, (await otherUser.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);
    }

    [Fact]
    public async Task GetMe_LiveToken_Returns200WithUserFields()
    {
        var username = Shopper.NewUsername();
        var user = await Shopper.SignUpAsync(_http, username);

        var me = await ApiAssert.JsonAsync(await user.SendAsync(HttpMethod.Get, "/api/me"), HttpStatusCode.OK, "userId", "username", "displayName");

        Assert.Equal(user.UserId, me.Str("userId"));
        Assert.Equal(username, me.Str("username"));
        Assert.Equal("Test Buyer", me.Str("displayName"));
    }

    /// <summary>Every route that needs a session, with a body that would otherwise succeed.</summary>
    public static TheoryData<string, string> AuthenticatedRoutes()
    {
        string[] routes =
        [
            "DELETE /api/sessions/current", "GET /api/me", "POST /api/markets", "POST /api/markets/{market}/listings",
            "POST /api/listings/{listing}/purchases", "GET /api/me/orders", "GET /api/markets/{market}/orders",
        ];
        string[] tokens = ["missing", "unknown", "malformed", "logged-out", "basic-scheme", "two-headers"];
        var data = new TheoryData<string, string>();
        foreach (var route in routes)
        {
            foreach (var token in tokens) data.Add(route, token);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AuthenticatedRoutes))]
    public async Task AuthenticatedRoute_WithoutLiveToken_Returns401Unauthorized(string route, string token)
    {
        var stall = await Stall.OpenAsync(_http);
        var parts = route.Split(' ');
        var path = parts[1].Replace("{market}", stall.MarketId, StringComparison.Ordinal).Replace("{listing}", stall.ListingId, StringComparison.Ordinal);
        var request = new HttpRequestMessage(new HttpMethod(parts[0]), path);
        if (parts[0] == "POST") request.Content = JsonContent.Create(ValidBodyOf(path));
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        switch (token)
        {
            case "unknown":
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
                break;
            case "malformed":
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
                break;
            case "logged-out":
                var user = await Shopper.SignUpAsync(_http);
                Assert.Equal(HttpStatusCode.NoContent, (await user.SendAsync(HttpMethod.Delete, "/api/sessions/current")).StatusCode);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
                break;
            case "basic-scheme":
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("user:correct horse"u8.ToArray()));
                break;
            case "two-headers":
                request.Headers.TryAddWithoutValidation("Authorization", [$"Bearer {stall.Seller.Token}", $"Bearer {stall.Seller.Token}"]);
                break;
        }

        var response = await _http.SendAsync(request);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(HttpStatusCode.OK, (await stall.Seller.SendAsync(HttpMethod.Get, "/api/me")).StatusCode);
    }

    private static object ValidBodyOf(string path) => path switch
    {
        "/api/markets" => new { title = "Drop", opensAt = DateTimeOffset.UtcNow.AddHours(-1) },
        _ when path.EndsWith("/listings", StringComparison.Ordinal) => new { title = "Lamp", priceCents = 100, quantity = 1 },
        _ => new { quantity = 1 },
    };
}

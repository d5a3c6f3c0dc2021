using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FleaMarket.Api.Tests.Infrastructure;

namespace FleaMarket.Api.Tests.Contract;

/// <summary>docs/security.md: the headers and small rules an outside prober checks first.</summary>
public sealed class HardeningContractTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>
{
    private readonly HttpClient _http = fixture.NewClient();

    [Fact]
    public async Task GetMe_NoToken_Returns401WithBearerChallenge()
    {
        var response = await _http.GetAsync("/api/me");

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.DoesNotContain("invalid_token", challenge.Parameter ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetMe_UnknownToken_Returns401WithInvalidTokenChallenge()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Authorization = new("Bearer", Convert.ToBase64String(new byte[32]).TrimEnd('=').Replace('+', '-').Replace('/', '_'));

        var response = await _http.SendAsync(request);

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSession_WrongPassword_Returns401WithBearerChallenge()
    {
        var shopper = await Shopper.SignUpAsync(_http);
        var me = await (await shopper.SendAsync(HttpMethod.Get, "/api/me")).ReadJsonAsync();

        var response = await _http.PostAsJsonAsync("/api/sessions", new { username = me.Str("username"), password = "wrong password" });

        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "invalid-credentials");
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task CreateSession_Success_TokenIsNotCacheable()
    {
        var username = Shopper.NewUsername();
        await _http.PostAsJsonAsync("/api/users", new { username, password = "correct horse", displayName = "Ada" });

        var response = await _http.PostAsJsonAsync("/api/sessions", new { username, password = "correct horse" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control: {response.Headers.CacheControl}");
    }

    [Fact]
    public async Task GetMe_SignedIn_ResponseIsNotCacheable()
    {
        var shopper = await Shopper.SignUpAsync(_http);

        var response = await shopper.SendAsync(HttpMethod.Get, "/api/me");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control: {response.Headers.CacheControl}");
    }

    public static TheoryData<string, string> AnyAnswer => new()
    {
        { "GET", "/api/markets/m_00000000000000000000000000000000" },
        { "GET", "/api/me" },
        { "GET", "/health/live" },
        { "GET", "/openapi/v1.json" },
        { "POST", "/api/users" },
        { "DELETE", "/api/markets" },
        { "GET", "/no/such/route" },
    };

    [Theory]
    [MemberData(nameof(AnyAnswer))]
    public async Task AnyRequest_AnyOutcome_CarriesNoSniff(string method, string path)
    {
        var response = await _http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? new StringContent("{", Encoding.UTF8, "application/json") : null });

        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task Head_GetRoutes_AnswerAsGetWithoutBody()
    {
        var stall = await Stall.OpenAsync(_http, quantity: 1);
        string[] paths =
        [
            $"/api/markets/{stall.MarketId}", $"/api/listings/{stall.ListingId}", $"/api/users/{stall.Seller.UserId}/markets",
            "/api/markets/m_00000000000000000000000000000000", "/health/live", "/health/ready", "/openapi/v1.json",
        ];
        foreach (var path in paths)
        {
            var get = await _http.GetAsync(path);
            var head = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

            Assert.True(get.StatusCode == head.StatusCode, $"HEAD {path}: {(int)head.StatusCode}, GET: {(int)get.StatusCode}");
            Assert.Equal(get.Content.Headers.ContentType?.MediaType, head.Content.Headers.ContentType?.MediaType);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }

        var me = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/me"));
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/health/live")]
    [InlineData("DELETE", "/health/live")]
    [InlineData("PUT", "/health/ready")]
    [InlineData("PATCH", "/health/ready")]
    [InlineData("POST", "/metrics")]
    public async Task HealthRoutes_MethodOtherThanGetOrHead_Returns405(string method, string path)
    {
        var response = await _http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await ApiAssert.ProblemAsync(response, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
    }

    [Theory]
    [InlineData("NFC registered, NFD typed", "caf\u00E9 cr\u00E8me", "cafe\u0301 cre\u0300me")]
    [InlineData("NFD registered, NFC typed", "cafe\u0301 cre\u0300me", "caf\u00E9 cr\u00E8me")]
    [InlineData("Hangul syllables vs jamo", "\uD55C\uAD6D\uC5B4 password", "\u1112\u1161\u11AB\u1100\u116E\u11A8\u110B\u1165 password")]
    public async Task CreateSession_PasswordInAnotherNormalizationForm_Returns201(string label, string registered, string typed)
    {
        var username = Shopper.NewUsername();
        Assert.Equal(HttpStatusCode.Created, (await _http.PostAsJsonAsync("/api/users", new { username, password = registered, displayName = "Ada" })).StatusCode);

        var response = await _http.PostAsJsonAsync("/api/sessions", new { username, password = typed });

        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{label}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task OpenApiDocument_ForgedHostAndProto_NamesNoServerFromTheRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        request.Headers.Host = "evil.example";
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "evil.example");

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("evil.example", text, StringComparison.OrdinalIgnoreCase);
        var document = JsonDocument.Parse(text).RootElement;
        Assert.True(!document.TryGetProperty("servers", out var servers) || servers.GetArrayLength() == 0, $"servers: {servers}");
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FleaMarket.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FleaMarket.Api.Tests.Contract;

/// <summary>api.md, "Operations", and the rules stated once for the whole API (OpenAPI, body limit, unknown routes).</summary>
public sealed class OperationsContractTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>
{
    private const int Limit = 64 * 1024;

    private readonly HttpClient _http = fixture.NewClient();

    public static TheoryData<string, string> ContractRoutes => new()
    {
        { "post", "/api/users" },
        { "post", "/api/sessions" },
        { "delete", "/api/sessions/current" },
        { "get", "/api/me" },
        { "post", "/api/markets" },
        { "get", "/api/markets/{marketId}" },
        { "get", "/api/users/{userId}/markets" },
        { "post", "/api/markets/{marketId}/listings" },
        { "get", "/api/listings/{listingId}" },
        { "post", "/api/listings/{listingId}/purchases" },
        { "get", "/api/me/orders" },
        { "get", "/api/markets/{marketId}/orders" },
    };

    [Theory]
    [MemberData(nameof(ContractRoutes))]
    public async Task OpenApi_Document_ListsEveryContractRoute(string method, string path)
    {
        var response = await _http.GetAsync("/openapi/v1.json");

        var document = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty(path, out var item),
            $"{path} is missing; the document lists {string.Join(", ", paths.EnumerateObject().Select(p => p.Name))}.");
        Assert.True(item.TryGetProperty(method, out _), $"{method} {path} is missing.");
    }

    [Fact]
    public async Task HealthLive_ProcessRuns_Returns200()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task HealthReady_ClusterRuns_Returns200()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task HealthReady_NodeWithoutCluster_Returns503AndLiveStays200()
    {
        // A real Orleans client of a cluster that is not there: it never connects.
        var client = Host.CreateApplicationBuilder();
        client.UseOrleansClient(c => c.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, 9)));
        using var host = client.Build();
        await using var node = await ApiNode.StartAsync(host.Services.GetRequiredService<IClusterClient>());
        var http = node.CreateClient();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);

        // Any request that needs a grain answers 503 unavailable with Retry-After, never a 500.
        var register = await http.PostAsync("/api/users", new StringContent(
            """{"username":"nobody-home","password":"correct horse","displayName":"N"}""", Encoding.UTF8, "application/json"));
        await ApiAssert.ProblemAsync(register, HttpStatusCode.ServiceUnavailable, "unavailable");
        Assert.True(register.Headers.RetryAfter is not null, "503 without Retry-After.");
    }

    [Fact]
    public async Task Metrics_AfterRequests_ServesPrometheusTextWithGrainCallsAndHttpRequests()
    {
        await Stall.OpenAsync(_http);

        var response = await _http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        // Orleans' meters: grain calls (count and latency), activations per grain type.
        Assert.Matches(@"(?m)^orleans_app_requests_latency_milliseconds_count\{[^}]*\} [1-9]\d*", text);
        Assert.Matches(@"(?m)^orleans_catalog_activations\{[^}]*grain_type=""market""[^}]*\} [1-9]", text);
        Assert.Contains("# TYPE http_server_request_duration", text, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^http_server_request_duration\w*_count\{[^}]*\} \d+", text);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.Matches(@"^(# (HELP|TYPE) \w+ .+|\w+(\{.*\})? -?[0-9.eE+-]+|\w+(\{.*\})? (NaN|\+Inf|-Inf))$", line);
        }
    }

    [Theory]
    [InlineData("/api/nothing-here")]
    [InlineData("/api/markets/m_0123456789abcdef0123456789abcdef/nothing")]
    [InlineData("/nope")]
    public async Task UnknownRoute_Returns404NotFound(string path)
    {
        await ApiAssert.ProblemAsync(await _http.GetAsync(path), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task AnyBody_Over64KiBWithContentLength_Returns413()
    {
        var user = await Shopper.SignUpAsync(_http);
        var request = user.Request(HttpMethod.Post, "/api/markets");
        request.Content = new StringContent(JsonOfSize(Limit + 1), Encoding.UTF8, "application/json");

        await ApiAssert.ProblemAsync(await _http.SendAsync(request), HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Empty((await (await _http.GetAsync($"/api/users/{user.UserId}/markets")).ReadJsonAsync()).EnumerateArray());
    }

    [Fact]
    public async Task AnyBody_Over64KiBChunked_Returns413()
    {
        var user = await Shopper.SignUpAsync(_http);
        var request = user.Request(HttpMethod.Post, "/api/markets");
        request.Content = Chunked(JsonOfSize(Limit + 1024));

        await ApiAssert.ProblemAsync(await _http.SendAsync(request), HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Empty((await (await _http.GetAsync($"/api/users/{user.UserId}/markets")).ReadJsonAsync()).EnumerateArray());
    }

    [Fact]
    public async Task AnyBody_Exactly64KiB_IsNotRefusedAsTooLarge()
    {
        var user = await Shopper.SignUpAsync(_http);
        var request = user.Request(HttpMethod.Post, "/api/markets");
        request.Content = new StringContent(JsonOfSize(Limit), Encoding.UTF8, "application/json");

        var response = await _http.SendAsync(request);

        // The padding is whitespace, so the body is a valid market; what matters is that 64 KiB itself is allowed.
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>A valid market body padded with whitespace to exactly <paramref name="bytes"/> bytes.</summary>
    internal static string JsonOfSize(int bytes)
    {
        var json = $$"""{"title":"Padded","opensAt":"{{DateTimeOffset.UtcNow.AddDays(1):O}}"}""";
        return json[..^1] + new string(' ', bytes - json.Length) + "}";
    }

    /// <summary>Content without a Content-Length, so it goes out chunked.</summary>
    internal static HttpContent Chunked(string json)
    {
        var content = new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

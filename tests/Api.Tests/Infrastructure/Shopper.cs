using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace FleaMarket.Api.Tests.Infrastructure;

/// <summary>A signed-in user driving the API over one HTTP client, with helpers for the common steps.</summary>
public sealed class Shopper(HttpClient http, string userId, string token)
{
    public HttpClient Http { get; } = http;

    public string UserId { get; } = userId;

    public string Token { get; } = token;

    public static string NewUsername() => $"u{Guid.NewGuid():N}"[..20];

    /// <summary>Registers a fresh user and logs in.</summary>
    public static async Task<Shopper> SignUpAsync(HttpClient http, string? username = null)
    {
        username ??= NewUsername();
        var registered = await http.PostAsJsonAsync("/api/users", new { username, password = "correct horse", displayName = "Test Buyer" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var session = await LoginAsync(http, username, "correct horse");
        return new Shopper(http, session.GetProperty("userId").GetString()!, session.GetProperty("token").GetString()!);
    }

    public static async Task<JsonElement> LoginAsync(HttpClient http, string username, string password)
    {
        var response = await http.PostAsJsonAsync("/api/sessions", new { username, password });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The same user's token used through another API node.</summary>
    public Shopper Via(HttpClient other) => new(other, UserId, Token);

    public HttpRequestMessage Request(HttpMethod method, string path, object? body = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        if (body is not null) request.Content = JsonContent.Create(body);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string? idempotencyKey = null) =>
        Http.SendAsync(Request(method, path, body, idempotencyKey));

    public async Task<JsonElement> CreateMarketAsync(DateTimeOffset opensAt, DateTimeOffset? closesAt = null)
    {
        var response = await SendAsync(HttpMethod.Post, "/api/markets", new { title = "Drop", description = "A test drop", opensAt, closesAt });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> AddListingAsync(string marketId, int quantity, int? maxPerBuyer = null, long priceCents = 1500)
    {
        var response = await SendAsync(HttpMethod.Post, $"/api/markets/{marketId}/listings",
            new { title = "Lamp", priceCents, quantity, maxPerBuyer });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public Task<HttpResponseMessage> PurchaseAsync(string listingId, int quantity, string? idempotencyKey = null) =>
        SendAsync(HttpMethod.Post, $"/api/listings/{listingId}/purchases", new { quantity }, idempotencyKey ?? Guid.NewGuid().ToString("N"));

    public static async Task<string?> ProblemCodeAsync(HttpResponseMessage response)
    {
        var type = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString();
        return type?["https://fleamarket.dev/problems/".Length..];
    }
}

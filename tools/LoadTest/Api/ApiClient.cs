using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace FleaMarket.LoadTest.Api;

/// <summary>
/// The rehearsal's only way to the API: one <see cref="HttpClient"/> over a pooled <see cref="SocketsHttpHandler"/>
/// with enough connections for every request the run keeps in flight, pointed at the base URL and nowhere else.
/// </summary>
internal sealed class ApiClient : IDisposable
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;

    public ApiClient(Uri baseUrl, int maxConnections, TimeSpan requestTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        // A trailing slash keeps a base path (http://host/prefix) when relative request paths are resolved.
        var root = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        _http = new HttpClient(handler) { BaseAddress = root, Timeout = requestTimeout };
        _http.DefaultRequestHeaders.ExpectContinue = false;
        // Setup and verification must see the latest stock, not an API node's copy of up to a second ago.
        _http.DefaultRequestHeaders.CacheControl = new CacheControlHeaderValue { NoCache = true };
    }

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    public Task<ApiResponse<T>> PostAsync<T>(string path, object body, AuthenticationHeaderValue? auth, CancellationToken ct) =>
        SendAsync<T>(HttpMethod.Post, path, JsonContent.Create(body, body.GetType(), options: Json), auth, ct);

    public Task<ApiResponse<T>> GetAsync<T>(string path, AuthenticationHeaderValue? auth, CancellationToken ct) =>
        SendAsync<T>(HttpMethod.Get, path, null, auth, ct);

    /// <summary>Every page of a paged list (api.md: limit/after, Link rel="next"), as one list.</summary>
    public async Task<ApiResponse<List<T>>> GetAllPagesAsync<T>(string path, AuthenticationHeaderValue? auth, CancellationToken ct)
    {
        var all = new List<T>();
        string? next = $"{path}{(path.Contains('?', StringComparison.Ordinal) ? '&' : '?')}limit=1000";
        while (next is not null)
        {
            var page = await SendAsync<List<T>>(HttpMethod.Get, next, null, auth, ct).ConfigureAwait(false);
            if (!page.IsSuccess || page.Value is null) return page;
            all.AddRange(page.Value);
            next = page.Next;
        }

        return new ApiResponse<List<T>>(200, all, null, null);
    }

    /// <summary>One purchase; the body bytes are shared by every purchase of the same quantity.</summary>
    public async Task<ApiResponse<OrderBody>> PurchaseAsync(
        string listingId, ReadOnlyMemory<byte> body, AuthenticationHeaderValue auth, string idempotencyKey, CancellationToken ct)
    {
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/listings/{listingId}/purchases") { Content = content };
        request.Headers.Authorization = auth;
        request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader, idempotencyKey);
        return await SendAsync<OrderBody>(request, ct).ConfigureAwait(false);
    }

    private async Task<ApiResponse<T>> SendAsync<T>(HttpMethod method, string path, HttpContent? content, AuthenticationHeaderValue? auth, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/')) { Content = content };
        request.Headers.Authorization = auth;
        return await SendAsync<T>(request, ct).ConfigureAwait(false);
    }

    private async Task<ApiResponse<T>> SendAsync<T>(HttpRequestMessage request, CancellationToken ct)
    {
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var retryAfter = response.Headers.RetryAfter?.Delta;
        if (response.IsSuccessStatusCode)
        {
            var value = status == 204 ? default : await response.Content.ReadFromJsonAsync<T>(Json, ct).ConfigureAwait(false);
            return new ApiResponse<T>(status, value, null, retryAfter, NextLink(response));
        }

        return new ApiResponse<T>(status, default, await ReadProblemAsync(response, ct).ConfigureAwait(false), retryAfter);
    }

    /// <summary>The target of a Link: &lt;...&gt;; rel="next" header, if any.</summary>
    private static string? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links)) return null;
        foreach (var link in links)
        {
            var end = link.IndexOf('>', StringComparison.Ordinal);
            if (link.StartsWith('<') && end > 0 && link.AsSpan(end).Contains("rel=\"next\"", StringComparison.Ordinal)) return link[1..end];
        }

        return null;
    }

    private static async Task<string> ReadProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<ProblemBody>(Json, ct).ConfigureAwait(false);
            return ProblemCodes.FromType(problem?.Type);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            // Not problem+json, e.g. a load balancer's own error page: the status alone tells the story.
            return "none";
        }
    }

    public void Dispose() => _http.Dispose();
}

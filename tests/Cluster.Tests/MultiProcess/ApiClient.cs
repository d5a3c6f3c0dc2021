using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace FleaMarket.Cluster.Tests.MultiProcess;

/// <summary>The HTTP contract (api.md) as the test uses it: JSON in and out, bearer tokens, 503 retried until a deadline.</summary>
internal sealed class ApiClient(Uri address) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = address, Timeout = TimeSpan.FromSeconds(35) };

    /// <summary>Sends a request and expects <paramref name="expected"/>; a 503 (cluster still settling) is retried until <paramref name="retryFor"/> runs out.</summary>
    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, HttpStatusCode expected,
        string? token = null, string? idempotencyKey = null, TimeSpan? retryFor = null)
    {
        var deadline = DateTime.UtcNow + (retryFor ?? TimeSpan.Zero);
        while (true)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null) request.Content = JsonContent.Create(body);
            if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
            using var response = await _http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
                continue;
            }

            if (response.StatusCode != expected)
            {
                throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}, expected {(int)expected}: {text}");
            }

            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    public void Dispose() => _http.Dispose();
}

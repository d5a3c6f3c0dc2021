using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace FleaMarket.Cluster.Tests.MultiProcess;

/// <summary>One HTTP answer: status, body, and the headers a test looks at.</summary>
internal sealed record ApiAnswer(HttpStatusCode Status, JsonElement Body, string? RetryAfter, TimeSpan Elapsed)
{
    /// <summary>The last segment of a problem's <c>type</c> (api.md), or null when the body is no problem.</summary>
    public string? ProblemCode => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("type", out var type)
        ? type.GetString()?.Split('/')[^1]
        : null;
}

/// <summary>The HTTP contract (api.md) as the tests use it: JSON in and out, bearer tokens, 503 retried until a deadline.</summary>
internal sealed class ApiClient(Uri address) : IDisposable
{
    /// <summary>Longest wait for one answer. Longer than Orleans' 30 s response timeout, so a hang shows as a hang.</summary>
    private readonly HttpClient _http = new() { BaseAddress = address, Timeout = TimeSpan.FromSeconds(45) };

    /// <summary>Sends a request and expects <paramref name="expected"/>; a 503 (cluster still settling) is retried until <paramref name="retryFor"/> runs out.</summary>
    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, HttpStatusCode expected,
        string? token = null, string? idempotencyKey = null, TimeSpan? retryFor = null)
    {
        var deadline = DateTime.UtcNow + (retryFor ?? TimeSpan.Zero);
        while (true)
        {
            var answer = await TrySendAsync(method, path, body, token, idempotencyKey);
            if (answer.Status == HttpStatusCode.ServiceUnavailable && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
                continue;
            }

            if (answer.Status != expected)
            {
                throw new InvalidOperationException($"{method} {path} answered {(int)answer.Status}, expected {(int)expected}: {answer.Body}");
            }

            return answer.Body;
        }
    }

    /// <summary>
    /// Sends one request and returns whatever the API answered. Transport failures (connection refused or reset, no
    /// answer within <paramref name="timeout"/>) throw <see cref="HttpRequestException"/> or <see cref="TaskCanceledException"/>.
    /// </summary>
    public async Task<ApiAnswer> TrySendAsync(HttpMethod method, string path, object? body,
        string? token = null, string? idempotencyKey = null, TimeSpan? timeout = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var cancel = new CancellationTokenSource(timeout ?? Timeout.InfiniteTimeSpan);
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var response = await _http.SendAsync(request, cancel.Token);
        var text = await response.Content.ReadAsStringAsync(cancel.Token);
        return new ApiAnswer(response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(),
            response.Headers.RetryAfter?.ToString(), started.Elapsed);
    }

    public void Dispose() => _http.Dispose();
}

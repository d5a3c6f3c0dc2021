using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace FleaMarket.Benchmarks.Feed;

/// <summary>
/// Many people refreshing one listing's page: each poller sends <c>GET /api/listings/{id}</c> once per interval (the
/// pollers' starts spread over the first interval) with the ETag it last got in <c>If-None-Match</c>, as a browser
/// does, and keeps the last <c>remaining</c> it saw; told to come back later (503 or 429 with Retry-After), it waits
/// that long first. Counts answers by kind and the slowest one.
/// </summary>
internal sealed class FeedPollers : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Poller[] _pollers;
    private readonly Task[] _polling;
    private long _ok;
    private long _notModified;
    private long _serverErrors;
    private long _other;
    private long _transportErrors;
    private long _slowestTicks;

    private FeedPollers(HttpClient http, string listingId, int count, TimeSpan interval)
    {
        _pollers = [.. Enumerable.Range(0, count).Select(_ => new Poller())];
        _polling = [.. _pollers.Select((p, i) => PollAsync(http, listingId, p, interval, interval * i / Math.Max(1, count), _stop.Token))];
    }

    public static FeedPollers Start(HttpClient http, string listingId, int count, TimeSpan interval) => new(http, listingId, count, interval);

    public long Answers => Interlocked.Read(ref _ok) + Interlocked.Read(ref _notModified) + Interlocked.Read(ref _serverErrors) + Interlocked.Read(ref _other);

    public long NotModified => Interlocked.Read(ref _notModified);

    public long ServerErrors => Interlocked.Read(ref _serverErrors);

    /// <summary>Answers other than 200, 304 and 5xx (a 429 would show the read limit was not lifted).</summary>
    public long Other => Interlocked.Read(ref _other);

    /// <summary>Polls that got no answer (a connection reset); the poller tries again at its next tick.</summary>
    public long TransportErrors => Interlocked.Read(ref _transportErrors);

    public TimeSpan Slowest => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _slowestTicks));

    public int Failed => _polling.Count(t => t.IsFaulted);

    /// <summary>Pollers whose last answer showed <paramref name="remaining"/>.</summary>
    public int Showing(int remaining) => _pollers.Count(p => Volatile.Read(ref p.Remaining) == remaining);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_polling);
        }
        catch (Exception)
        {
            // Stopped on purpose; a poller's own failure was counted in Failed before.
        }

        _stop.Dispose();
    }

    private async Task PollAsync(HttpClient http, string listingId, Poller poller, TimeSpan interval, TimeSpan offset, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(offset, cancellationToken);
            using var ticker = new PeriodicTimer(interval);
            do
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/listings/{listingId}");
                if (poller.ETag is { } etag) request.Headers.IfNoneMatch.Add(etag);
                var started = Stopwatch.GetTimestamp();
                HttpResponseMessage response;
                byte[]? body;
                try
                {
                    response = await http.SendAsync(request, cancellationToken);
                    body = response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsByteArrayAsync(cancellationToken) : null;
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref _transportErrors);
                    continue;
                }

                using var answered = response;
                Atomic.Max(ref _slowestTicks, Stopwatch.GetTimestamp() - started);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.OK:
                        Interlocked.Increment(ref _ok);
                        poller.ETag = response.Headers.ETag;
                        using (var json = JsonDocument.Parse(body))
                        {
                            Volatile.Write(ref poller.Remaining, json.RootElement.GetProperty("remaining").GetInt32());
                        }

                        break;
                    case HttpStatusCode.NotModified:
                        Interlocked.Increment(ref _notModified);
                        break;
                    case >= HttpStatusCode.InternalServerError:
                        Interlocked.Increment(ref _serverErrors);
                        await HonourRetryAfterAsync(response, cancellationToken);
                        break;
                    case HttpStatusCode.TooManyRequests:
                        Interlocked.Increment(ref _other);
                        await HonourRetryAfterAsync(response, cancellationToken);
                        break;
                    default:
                        Interlocked.Increment(ref _other);
                        break;
                }
            }
            while (await ticker.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped on purpose.
        }
    }

    /// <summary>As a browser told to come back later: no poll before Retry-After has passed.</summary>
    private static Task HonourRetryAfterAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        response.Headers.RetryAfter?.Delta is { } wait ? Task.Delay(wait, cancellationToken) : Task.CompletedTask;

    private sealed class Poller
    {
        public int Remaining = -1;
        public EntityTagHeaderValue? ETag;
    }
}

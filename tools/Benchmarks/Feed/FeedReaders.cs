using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace FleaMarket.Benchmarks.Feed;

/// <summary>
/// Many readers of one market's event stream, each on its own connection, each keeping the last <c>remaining</c>
/// it saw of one listing and when it saw it.
/// </summary>
internal sealed class FeedReaders : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Reader[] _readers;
    private readonly Task[] _reading;

    private FeedReaders(HttpClient http, string marketId, string listingId, int count)
    {
        _readers = [.. Enumerable.Range(0, count).Select(_ => new Reader())];
        _reading = [.. _readers.Select(r => ReadAsync(http, marketId, listingId, r, _stop.Token))];
    }

    public static FeedReaders Open(HttpClient http, string marketId, string listingId, int count) => new(http, marketId, listingId, count);

    public int WithSnapshot => _readers.Count(r => Volatile.Read(ref r.Remaining) >= 0);

    public int Failed => _reading.Count(t => t.IsFaulted);

    public long Events => _readers.Sum(r => Interlocked.Read(ref r.Events));

    /// <summary>Readers that show <paramref name="remaining"/> now.</summary>
    public int Showing(int remaining) => _readers.Count(r => Volatile.Read(ref r.Remaining) == remaining);

    /// <summary>The latest moment (stopwatch ticks) at which a reader came to show what it shows now.</summary>
    public long LastChangeTicks => _readers.Max(r => Interlocked.Read(ref r.ChangedAt));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_reading);
        }
        catch (Exception)
        {
            // Hung up on purpose.
        }

        _stop.Dispose();
    }

    private static async Task ReadAsync(HttpClient http, string marketId, string listingId, Reader reader, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync($"/api/markets/{marketId}/events", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await foreach (var item in SseParser.Create(body).EnumerateAsync(cancellationToken))
            {
                Interlocked.Increment(ref reader.Events);
                var remaining = item.EventType switch
                {
                    "listing" => FromListing(item.Data, listingId),
                    "market" => FromMarket(item.Data, listingId),
                    _ => null,
                };
                if (remaining is not { } value || value == Volatile.Read(ref reader.Remaining)) continue;
                Volatile.Write(ref reader.Remaining, value);
                Interlocked.Exchange(ref reader.ChangedAt, Stopwatch.GetTimestamp());
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Hung up on purpose.
        }
    }

    private static int? FromListing(string data, string listingId)
    {
        using var json = JsonDocument.Parse(data);
        return json.RootElement.GetProperty("listingId").GetString() == listingId ? json.RootElement.GetProperty("remaining").GetInt32() : null;
    }

    private static int? FromMarket(string data, string listingId)
    {
        using var json = JsonDocument.Parse(data);
        foreach (var listing in json.RootElement.GetProperty("listings").EnumerateArray())
        {
            if (listing.GetProperty("listingId").GetString() == listingId) return listing.GetProperty("remaining").GetInt32();
        }

        return null;
    }

    private sealed class Reader
    {
        public int Remaining = -1;
        public long Events;
        public long ChangedAt;
    }
}

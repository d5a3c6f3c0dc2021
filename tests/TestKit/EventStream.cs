using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace FleaMarket.TestKit;

/// <summary>
/// A reader of <c>GET /api/markets/{id}/events</c>: the response is read as a stream by the framework's SSE parser
/// in the background, and every event is kept for the test to wait on. Disposing it hangs up, as a browser does.
/// </summary>
public sealed class EventStream : IAsyncDisposable
{
    private readonly List<SseItem<string>> _events = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpResponseMessage _response;
    private readonly Task _reading;

    private EventStream(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reading = ReadAsync(body);
    }

    public HttpResponseMessage Response => _response;

    /// <summary>Every event so far, in arrival order.</summary>
    public IReadOnlyList<SseItem<string>> Events
    {
        get
        {
            lock (_events) return [.. _events];
        }
    }

    /// <summary>Whether the server ended the stream (or reading it failed).</summary>
    public bool Ended => _reading.IsCompleted;

    /// <summary>Opens the stream and checks that it is one (200, text/event-stream).</summary>
    public static async Task<EventStream> OpenAsync(HttpClient http, string marketId, string? lastEventId = null)
    {
        var response = await SendAsync(http, marketId, lastEventId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new EventStream(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The bare response, for the answers that are not streams.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, string marketId, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/markets/{marketId}/events");
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public static JsonElement Data(SseItem<string> item) => JsonDocument.Parse(item.Data).RootElement;

    /// <summary>Waits until an event matching <paramref name="predicate"/> has arrived and returns the first such.</summary>
    public async Task<SseItem<string>> WaitForAsync(Func<SseItem<string>, bool> predicate, string what, TimeSpan? timeout = null)
    {
        SseItem<string>? found = null;
        await Eventually.WaitUntilAsync(() =>
        {
            found = Events.Where(predicate).Cast<SseItem<string>?>().FirstOrDefault();
            return found is not null || Ended;
        }, what, timeout ?? TimeSpan.FromSeconds(30));
        Assert.True(found is not null, $"The stream ended before {what}.");
        return found.Value;
    }

    /// <summary>The stock of <paramref name="listingId"/> the stream shows now: the last market or listing event that named it.</summary>
    public int? RemainingOf(string listingId)
    {
        int? remaining = null;
        foreach (var item in Events)
        {
            var data = item.EventType is "market" or "listing" ? Data(item) : default;
            if (item.EventType == "listing" && data.GetProperty("listingId").GetString() == listingId)
            {
                remaining = data.GetProperty("remaining").GetInt32();
            }
            else if (item.EventType == "market")
            {
                foreach (var listing in data.GetProperty("listings").EnumerateArray())
                {
                    if (listing.GetProperty("listingId").GetString() == listingId) remaining = listing.GetProperty("remaining").GetInt32();
                }
            }
        }

        return remaining;
    }

    /// <summary>Waits until the stream shows <paramref name="remaining"/> for the listing.</summary>
    public Task WaitForRemainingAsync(string listingId, int remaining, TimeSpan? timeout = null) =>
        Eventually.WaitUntilAsync(() => RemainingOf(listingId) == remaining,
            $"the stream to show {remaining} left of {listingId} (it shows {RemainingOf(listingId)?.ToString() ?? "nothing"})", timeout ?? TimeSpan.FromSeconds(30));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        try
        {
            await _reading;
        }
        catch (Exception)
        {
            // Hanging up ends the read one way or another.
        }

        _stop.Dispose();
    }

    private async Task ReadAsync(Stream body)
    {
        try
        {
            await foreach (var item in SseParser.Create(body).EnumerateAsync(_stop.Token))
            {
                lock (_events) _events.Add(item);
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // Hung up by the test.
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace FleaMarket.Benchmarks.Feed;

/// <summary>
/// <c>feed</c>: drops against a running FleaMarket, without and with many readers of the live sales feed. Each drop
/// sells one listing out, one unit per purchase, from <c>--concurrency</c> loops; it reports orders/s, purchase
/// latency, and whether every reader's last <c>remaining</c> was the final one (and how long after the last order).
/// Needs a server whose per-address limits are lifted (all clients are one address); see docs/benchmarks.md.
/// </summary>
internal static class FeedCommand
{
    private const string Password = "correct horse battery";
    private static readonly TimeSpan s_readerDeadline = TimeSpan.FromSeconds(120);

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        FeedOptions options;
        try
        {
            options = FeedOptions.Parse(args);
        }
        catch (ArgumentException invalid)
        {
            await Console.Error.WriteLineAsync(invalid.Message);
            return 2;
        }

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, UseCookies = false })
        {
            BaseAddress = options.BaseUrl,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var seller = await SignUpAsync(http);
        var buyers = new string[options.Buyers];
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Buyers), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, _) => buyers[i] = await SignUpAsync(http));

        Console.WriteLine($"# feed: {options.BaseUrl}, stock {options.Stock} (one unit a purchase), {options.Concurrency} purchase loops, " +
            $"{options.Buyers} buyers, {options.Readers} readers in every second drop, {Environment.ProcessorCount} cores");
        Console.WriteLine();
        Console.WriteLine("| run | readers | orders/s | p50 | p99 | readers at final stock | last reader final after last order | events per reader |");
        Console.WriteLine("|--:|--:|--:|--:|--:|--:|--:|--:|");
        var failed = false;
        for (var run = 1; run <= options.Runs; run++)
        {
            foreach (var readers in new[] { 0, options.Readers })
            {
                var result = await DropAsync(http, seller, buyers, readers, options);
                failed |= readers > 0 && result.ReadersAtFinal != readers;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {run} | {readers} | {result.OrdersPerSecond:F0} | {result.P50.TotalMilliseconds:F1} ms | {result.P99.TotalMilliseconds:F1} ms | " +
                    $"{(readers == 0 ? "—" : $"{result.ReadersAtFinal} / {readers}")} | {(readers == 0 ? "—" : $"{result.FeedLag.TotalMilliseconds:F0} ms")} | " +
                    $"{(readers == 0 ? "—" : $"{result.EventsPerReader:F1}")} |"));
            }
        }

        return failed ? 1 : 0;
    }

    private static async Task<DropResult> DropAsync(HttpClient http, string seller, string[] buyers, int readerCount, FeedOptions options)
    {
        var market = await PostAsync(http, seller, "/api/markets", new { title = "Feed bench", opensAt = DateTimeOffset.UtcNow.AddMinutes(-1) });
        var marketId = market.GetProperty("marketId").GetString()!;
        var listing = await PostAsync(http, seller, $"/api/markets/{marketId}/listings", new { title = "Lamp", priceCents = 1500, quantity = options.Stock });
        var listingId = listing.GetProperty("listingId").GetString()!;

        await using var readers = FeedReaders.Open(http, marketId, listingId, readerCount);
        var ready = Stopwatch.StartNew();
        while (readers.WithSnapshot < readerCount)
        {
            if (readers.Failed > 0 || ready.Elapsed > s_readerDeadline) throw new InvalidOperationException($"{readers.WithSnapshot} of {readerCount} readers got a snapshot ({readers.Failed} failed).");
            await Task.Delay(50);
        }

        var latencies = new List<TimeSpan>[options.Concurrency];
        var nextBuyer = -1;
        var start = Stopwatch.GetTimestamp();
        var lastOrderAt = start;
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async loop =>
        {
            latencies[loop] = [];
            while (true)
            {
                var buyer = buyers[(uint)Interlocked.Increment(ref nextBuyer) % buyers.Length];
                var key = Guid.NewGuid().ToString("N");
                while (true)
                {
                    var started = Stopwatch.GetTimestamp();
                    using var response = await SendAsync(http, buyer, $"/api/listings/{listingId}/purchases", new { quantity = 1 }, key);
                    if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                    {
                        latencies[loop].Add(Stopwatch.GetElapsedTime(started));
                        InterlockedMax(ref lastOrderAt, Stopwatch.GetTimestamp());
                        break;
                    }

                    if (response.StatusCode == HttpStatusCode.Conflict) return;
                    // 503 or 429: wait as told and retry with the same key.
                    await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(100));
                }
            }
        }));

        var sold = latencies.Sum(l => l.Count);
        var seconds = Stopwatch.GetElapsedTime(start, lastOrderAt).TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToList();
        var final = await RemainingAsync(http, listingId);
        var waited = Stopwatch.StartNew();
        while (readerCount > 0 && readers.Showing(final) < readerCount && waited.Elapsed < s_readerDeadline) await Task.Delay(50);
        var lag = readerCount == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(lastOrderAt, readers.LastChangeTicks);
        return new DropResult(sold / seconds, all[all.Count / 2], all[Math.Min(all.Count - 1, all.Count * 99 / 100)],
            readers.Showing(final), lag, readerCount == 0 ? 0 : (double)readers.Events / readerCount);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }

    private static async Task<string> SignUpAsync(HttpClient http)
    {
        var username = "feed" + Guid.NewGuid().ToString("N")[..12];
        using var registered = await http.PostAsJsonAsync("/api/users", new { username, password = Password, displayName = "Feed bench" });
        registered.EnsureSuccessStatusCode();
        using var login = await http.PostAsJsonAsync("/api/sessions", new { username, password = Password });
        login.EnsureSuccessStatusCode();
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string token, string path, object body)
    {
        using var response = await SendAsync(http, token, path, body);
        if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, string token, string path, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return http.SendAsync(request);
    }

    private static async Task<int> RemainingAsync(HttpClient http, string listingId) =>
        (await http.GetFromJsonAsync<JsonElement>($"/api/listings/{listingId}")).GetProperty("remaining").GetInt32();

    private sealed record DropResult(double OrdersPerSecond, TimeSpan P50, TimeSpan P99, int ReadersAtFinal, TimeSpan FeedLag, double EventsPerReader);
}

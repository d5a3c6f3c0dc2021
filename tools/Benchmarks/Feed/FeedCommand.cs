using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FleaMarket.LoadTest.Firing;
using FleaMarket.LoadTest.Measurement;

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

    /// <summary>The API's request budget (Api:GrainCallBudget): no answer may take longer.</summary>
    private static readonly TimeSpan s_requestBudget = TimeSpan.FromSeconds(15);

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
            $"{options.Buyers} buyers{(options.Rate > 0 ? $" at most {options.Rate} purchases/s" : "")}, {options.Readers} event-stream readers, {options.Pollers} pollers every {options.PollInterval.TotalMilliseconds:F0} ms, " +
            $"{Environment.ProcessorCount} cores");
        // One unmeasured drop first: the first drop after a start also pays for JIT compilation and pools filling (in
        // the first measured round it cost twice the CPU per order of the later ones).
        var warmUp = await DropAsync(http, seller, buyers, 0, 0, options);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# warm-up drop (not in the table): {warmUp.OrdersPerSecond:F0} orders/s, {warmUp.OrdersCheck}"));
        Console.WriteLine();
        Console.WriteLine("| run | readers | pollers | orders/s | p50 | p99 | slowest purchase | purchase 5xx (500) | transport errors | reads/s (304 share) | slowest read | " +
            "readers at final stock | pollers at final stock | last reader final after last order | events per reader | system CPU-s / 1,000 orders | orders read back |");
        Console.WriteLine("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--|");
        (int Readers, int Pollers)[] shapes = [(0, 0), (options.Readers, 0), (0, options.Pollers), (options.Readers, options.Pollers)];
        shapes = [.. shapes.Distinct()];
        var failed = false;
        for (var run = 1; run <= options.Runs; run++)
        {
            foreach (var (readers, pollers) in shapes)
            {
                var result = await DropAsync(http, seller, buyers, readers, pollers, options);
                failed |= !result.Passed;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {run} | {readers} | {pollers} | {result.OrdersPerSecond:F0} | {result.P50.TotalMilliseconds:F1} ms | {result.P99.TotalMilliseconds:F1} ms | " +
                    $"{result.SlowestPurchase.TotalMilliseconds:F0} ms | {result.PurchaseServerErrors} ({result.Purchase500s}) | {result.TransportErrors} | " +
                    $"{(pollers == 0 ? "—" : $"{result.ReadsPerSecond:F0} ({result.NotModifiedShare:P0})")} | {(pollers == 0 ? "—" : $"{result.SlowestRead.TotalMilliseconds:F0} ms")} | " +
                    $"{(readers == 0 ? "—" : $"{result.ReadersAtFinal} / {readers}")} | {(pollers == 0 ? "—" : $"{result.PollersAtFinal} / {pollers}")} | " +
                    $"{(readers == 0 ? "—" : $"{result.FeedLag.TotalMilliseconds:F0} ms")} | {(readers == 0 ? "—" : $"{result.EventsPerReader:F1}")} | " +
                    $"{(result.SystemCpuPerThousandOrders is { } cpu ? $"{cpu:F2}" : "—")} | {result.OrdersCheck} |"));
            }
        }

        return failed ? 1 : 0;
    }

    private static async Task<DropResult> DropAsync(HttpClient http, string seller, string[] buyers, int readerCount, int pollerCount, FeedOptions options)
    {
        var market = await PostAsync(http, seller, "/api/markets", new { title = "Feed bench", opensAt = DateTimeOffset.UtcNow.AddMinutes(-1) });
        var marketId = market.GetProperty("marketId").GetString()!;
        var listing = await PostAsync(http, seller, $"/api/markets/{marketId}/listings", new { title = "Lamp", priceCents = 1500, quantity = options.Stock });
        var listingId = listing.GetProperty("listingId").GetString()!;

        await using var readers = FeedReaders.Open(http, marketId, listingId, readerCount);
        await WaitAsync(() => readers.WithSnapshot >= readerCount, () => readers.Failed > 0, () => $"{readers.WithSnapshot} of {readerCount} readers got a snapshot ({readers.Failed} failed)");

        // One full round of polls before the first purchase, so the drop runs under the pollers' steady load.
        await using var pollers = FeedPollers.Start(http, listingId, pollerCount, options.PollInterval);
        await WaitAsync(() => pollers.Showing(options.Stock) >= pollerCount, () => pollers.Failed > 0,
            () => $"{pollers.Showing(options.Stock)} of {pollerCount} pollers read the listing ({pollers.Failed} failed)");

        var latencies = new List<TimeSpan>[options.Concurrency];
        var acknowledged = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        long serverErrors = 0, internalErrors = 0, transportErrors = 0, slowestTicks = 0;
        var nextBuyer = -1;
        var pacer = new Pacer(options.Rate);
        var costAtStart = options.CostProbe is null ? null : await CostProbe.ReadAsync(options.CostProbe, CancellationToken.None);
        var start = Stopwatch.GetTimestamp();
        var readsAtStart = pollers.Answers;
        var lastOrderAt = start;
        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async loop =>
        {
            latencies[loop] = [];
            while (true)
            {
                await pacer.WaitAsync(CancellationToken.None);
                var buyer = buyers[(uint)Interlocked.Increment(ref nextBuyer) % buyers.Length];
                var key = Guid.NewGuid().ToString("N");
                while (true)
                {
                    var started = Stopwatch.GetTimestamp();
                    HttpResponseMessage? response = null;
                    byte[] body;
                    try
                    {
                        response = await SendAsync(http, buyer, $"/api/listings/{listingId}/purchases", new { quantity = 1 }, key);
                        body = await response.Content.ReadAsByteArrayAsync();
                    }
                    catch (HttpRequestException)
                    {
                        response?.Dispose(); // the headers came, the body did not
                        // No answer (a connection reset): as a real client, retry with the same key.
                        Interlocked.Increment(ref transportErrors);
                        await Task.Delay(TimeSpan.FromMilliseconds(100));
                        continue;
                    }

                    using var answered = response;
                    Atomic.Max(ref slowestTicks, Stopwatch.GetTimestamp() - started);
                    if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                    {
                        latencies[loop].Add(Stopwatch.GetElapsedTime(started));
                        using (var order = JsonDocument.Parse(body)) acknowledged[order.RootElement.GetProperty("orderId").GetString()!] = true;
                        Atomic.Max(ref lastOrderAt, Stopwatch.GetTimestamp());
                        break;
                    }

                    if (response.StatusCode == HttpStatusCode.Conflict) return;
                    if ((int)response.StatusCode >= 500) Interlocked.Increment(ref serverErrors);
                    if (response.StatusCode == HttpStatusCode.InternalServerError) Interlocked.Increment(ref internalErrors);
                    // 503 or 429: wait as told and retry with the same key.
                    await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(100));
                }
            }
        }));

        // The firing's window (its last loop saw the listing sold out): the readers' and pollers' load on the system included.
        var window = Stopwatch.GetElapsedTime(start);
        var cost = costAtStart is null ? null
            : CostProbe.Compare(options.CostProbe!, costAtStart, await CostProbe.ReadAsync(options.CostProbe!, CancellationToken.None), window.TotalSeconds, acknowledged.Count);
        var seconds = Stopwatch.GetElapsedTime(start, lastOrderAt).TotalSeconds;
        var reads = pollers.Answers - readsAtStart;
        var all = latencies.SelectMany(l => l).Order().ToList();
        var final = await RemainingAsync(http, listingId);
        var waited = Stopwatch.StartNew();
        while ((readers.Showing(final) < readerCount || pollers.Showing(final) < pollerCount) && waited.Elapsed < s_readerDeadline) await Task.Delay(50);
        var lag = readerCount == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(lastOrderAt, readers.LastChangeTicks);

        var stored = await MarketOrderIdsAsync(http, seller, marketId);
        var ordersMatch = final == 0 && acknowledged.Count == options.Stock && stored.SetEquals(acknowledged.Keys);
        var ordersCheck = ordersMatch
            ? $"{stored.Count} = stock, all acknowledged"
            : $"MISMATCH: stock {options.Stock}, remaining {final}, acknowledged {acknowledged.Count}, stored {stored.Count}, "
              + $"acknowledged not stored {acknowledged.Keys.Count(k => !stored.Contains(k))}";
        var slowestPurchase = Stopwatch.GetElapsedTime(0, slowestTicks);
        var passed = ordersMatch && readers.Showing(final) == readerCount && pollers.Showing(final) == pollerCount
            && internalErrors == 0 && transportErrors == 0 && pollers.ServerErrors == 0 && pollers.Other == 0 && pollers.TransportErrors == 0
            && slowestPurchase < s_requestBudget && pollers.Slowest < s_requestBudget;
        return new DropResult(acknowledged.Count / seconds, all[all.Count / 2], all[Math.Min(all.Count - 1, all.Count * 99 / 100)], slowestPurchase,
            serverErrors, internalErrors, transportErrors + pollers.TransportErrors, reads / seconds, reads == 0 ? 0 : (double)pollers.NotModified / pollers.Answers,
            pollers.Slowest, readers.Showing(final), pollers.Showing(final), lag, readerCount == 0 ? 0 : (double)readers.Events / readerCount,
            cost?.PerThousandOrders.GetValueOrDefault("cpu.total"), ordersCheck, passed);
    }

    /// <summary>Polls <paramref name="done"/> until it holds; throws when <paramref name="failed"/> does or the deadline passes.</summary>
    private static async Task WaitAsync(Func<bool> done, Func<bool> failed, Func<string> describe)
    {
        var waited = Stopwatch.StartNew();
        while (!done())
        {
            if (failed() || waited.Elapsed > s_readerDeadline) throw new InvalidOperationException(describe());
            await Task.Delay(50);
        }
    }

    /// <summary>Every order of the market as its seller pages through them (1,000 a page, following <c>Link: rel="next"</c>).</summary>
    private static async Task<HashSet<string>> MarketOrderIdsAsync(HttpClient http, string seller, string marketId)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var started = Stopwatch.GetTimestamp();
        string? next = $"/api/markets/{marketId}/orders?limit=1000";
        while (next is not null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, next);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", seller);
            using var response = await http.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && Stopwatch.GetElapsedTime(started) < s_readerDeadline)
            {
                // Overloaded for a moment: come back when told, as any client.
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                continue;
            }

            if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"GET {next}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            foreach (var order in (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()) ids.Add(order.GetProperty("orderId").GetString()!);
            next = response.Headers.TryGetValues("Link", out var links) ? NextLink(links) : null;
        }

        return ids;
    }

    private static string? NextLink(IEnumerable<string> links)
    {
        foreach (var link in links.SelectMany(l => l.Split(',')))
        {
            var parts = link.Split(';', StringSplitOptions.TrimEntries);
            if (parts.Skip(1).Any(p => p is "rel=\"next\"" or "rel=next")) return parts[0].Trim('<', '>');
        }

        return null;
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

    /// <summary>The listing's stock now: read through every cache (public reads may be up to a second stale).</summary>
    private static async Task<int> RemainingAsync(HttpClient http, string listingId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/listings/{listingId}");
        request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("remaining").GetInt32();
    }

    private sealed record DropResult(double OrdersPerSecond, TimeSpan P50, TimeSpan P99, TimeSpan SlowestPurchase, long PurchaseServerErrors,
        long Purchase500s, long TransportErrors, double ReadsPerSecond, double NotModifiedShare, TimeSpan SlowestRead, int ReadersAtFinal, int PollersAtFinal,
        TimeSpan FeedLag, double EventsPerReader, double? SystemCpuPerThousandOrders, string OrdersCheck, bool Passed);
}

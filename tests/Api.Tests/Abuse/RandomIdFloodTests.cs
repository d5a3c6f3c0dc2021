using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using FleaMarket.Api.Auth;
using FleaMarket.Api.Tests.Contract;
using Xunit.Abstractions;
using Eventually = FleaMarket.TestKit.Eventually;

namespace FleaMarket.Api.Tests.Abuse;

/// <summary>
/// Strangers cannot hold memory: anonymous requests for well-formed ids and tokens that do not exist are
/// answered 404/401 and leave neither activations nor stored state behind.
/// </summary>
public sealed class RandomIdFloodTests(ApiClusterFixture fixture, ITestOutputHelper output) : IClassFixture<ApiClusterFixture>
{
    private const int Requests = 20_000;
    private const int InFlight = 24;

    // What may differ from the baseline without anything leaking: system grains (a stateless worker's extra
    // instance, the reminder table) come and go. A leak of this flood would be thousands.
    private const int Slack = 10;

    [Fact]
    public async Task AnonymousReads_20000RandomIdsAndTokens_Answer404Or401AndActivationsReturnToBaseline()
    {
        var http = fixture.NewClient();
        var management = fixture.Market.Cluster.Client.GetGrain<IManagementGrain>(0);
        // One request of each kind first, so the baseline holds what merely serving them activates for good.
        for (var i = 0; i < 4; i++) await SendAsync(http, i);
        var baseline = await management.GetTotalActivationCount();
        var writes = fixture.Market.Store.Writes;

        var answers = new ConcurrentDictionary<(string Route, HttpStatusCode Status), int>();
        var peak = baseline;
        var flood = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Requests), new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (i, _) =>
        {
            var (route, status) = await SendAsync(http, i);
            answers.AddOrUpdate((route, status), 1, static (_, n) => n + 1);
            if (i % 1000 == 0) InterlockedMax(ref peak, await management.GetTotalActivationCount());
        });
        flood.Stop();

        var settle = Stopwatch.StartNew();
        var after = -1;
        try
        {
            await Eventually.WaitUntilAsync(
                async () => (after = await management.GetTotalActivationCount()) <= baseline + Slack,
                $"activations to return to the baseline of {baseline} (+{Slack})", TimeSpan.FromSeconds(10));
        }
        finally
        {
            output.WriteLine($"{Requests} requests, {InFlight} in flight: {flood.Elapsed.TotalSeconds:F1} s; activations: baseline {baseline}, "
                + $"peak sampled {peak}, {after} after {settle.Elapsed.TotalMilliseconds:F0} ms; grain-state writes during the flood: {fixture.Market.Store.Writes - writes}.");
            output.WriteLine(string.Join(", ", answers.OrderBy(a => a.Key.Route).Select(a => $"{a.Key.Route} {(int)a.Key.Status}: {a.Value}")));
        }

        var expected = new Dictionary<(string, HttpStatusCode), int>
        {
            [("listing", HttpStatusCode.NotFound)] = Requests / 4,
            [("market", HttpStatusCode.NotFound)] = Requests / 4,
            [("user-markets", HttpStatusCode.NotFound)] = Requests / 4,
            [("me", HttpStatusCode.Unauthorized)] = Requests / 4,
        };
        Assert.Equal(expected, answers.ToDictionary(a => a.Key, a => a.Value));
        Assert.Equal(writes, fixture.Market.Store.Writes);
    }

    /// <summary>Request <paramref name="i"/>: by turns a listing, a market, a user's markets, and /api/me with a token nobody was given.</summary>
    private static async Task<(string Route, HttpStatusCode Status)> SendAsync(HttpClient http, int i)
    {
        var hex = RandomNumberGenerator.GetHexString(32, lowercase: true);
        var (route, request) = (i % 4) switch
        {
            0 => ("listing", new HttpRequestMessage(HttpMethod.Get, $"/api/listings/l_{hex}")),
            1 => ("market", new HttpRequestMessage(HttpMethod.Get, $"/api/markets/m_{hex}")),
            2 => ("user-markets", new HttpRequestMessage(HttpMethod.Get, $"/api/users/u_{hex}/markets")),
            _ => ("me", new HttpRequestMessage(HttpMethod.Get, "/api/me")
            {
                Headers = { Authorization = new AuthenticationHeaderValue("Bearer", SessionTokens.NewToken()) },
            }),
        };
        using (request)
        using (var response = await http.SendAsync(request))
        {
            return (route, response.StatusCode);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using FleaMarket.Cluster.Tests.Engines;
using Xunit.Abstractions;

namespace FleaMarket.Cluster.Tests.MultiProcess;

/// <summary>
/// Two src/Silo processes that serve the HTTP API themselves (no separate API tier: <c>cluster.sh up --apis 0</c>,
/// the shape the drop benchmark measures) on Redis membership and PostgreSQL storage. A buyer's requests land on
/// either silo: one session works on both, a logout on one is refused on the other at once, a drop bought through
/// both sells exactly the stock, and a feed reader on one silo sees the purchases made through the other.
/// </summary>
[Collection(EnginesCollection.Name)]
public sealed class CohostedSilosTests(EngineServersFixture engines, ITestOutputHelper output)
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SilosServingTheApi_RequestsOnEitherSilo_OneSessionNoOversellFeedAndLogoutEverywhere()
    {
        await using var cluster = ProcessCluster.Create(engines.Redis.Endpoint, await engines.Postgres.CreateDatabaseAsync("cohosted"));
        await cluster.RunShowingLogsOnFailureAsync(RunAsync, output);
    }

    private async Task RunAsync(ProcessCluster cluster)
    {
        await cluster.StartCohostedAsync(silos: 2);
        var members = await cluster.Observer.MembersAsync();
        Assert.All(cluster.Silos, s => Assert.Equal(SiloStatus.Active, members[s.Name].Status));
        using var first = new ApiClient(ProcessCluster.AdminAddress(cluster.Silos[0]));
        using var second = new ApiClient(ProcessCluster.AdminAddress(cluster.Silos[1]));
        ApiClient[] nodes = [first, second];

        // Signed up and logged in through the first silo, selling and buying through the second: one session.
        var seller = await Shop.SignUpAsync(first, "cohost-seller", s_settle);
        var marketId = await Shop.OpenMarketAsync(second, seller, "Two silos, one counter", retryFor: s_settle);
        const int stock = 40;
        var listingId = await Shop.AddListingAsync(second, seller, marketId, "Poster", stock, s_settle);

        // A reader of the second silo's feed, open before the drop.
        using var feed = await FeedReader.OpenAsync(ProcessCluster.AdminAddress(cluster.Silos[1]), marketId);
        Assert.Equal(stock, await feed.WaitForRemainingAsync(listingId, r => r == stock, s_settle));

        // Twenty buyers, two units each and one more: each buyer's purchases alternate between the silos.
        var buyers = new List<Shopper>();
        for (var i = 0; i < 20; i++) buyers.Add(await Shop.SignUpAsync(nodes[i % 2], $"cohost-buyer-{i}", s_settle));
        var counts = new RetryCounts();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        var purchases = buyers.SelectMany((buyer, b) => Enumerable.Range(0, 3).Select(n =>
            Shop.BuyUntilAnsweredAsync(nodes[(b + n) % 2], buyer, listingId, 1, $"{buyer.Username}-{n}", TimeSpan.FromSeconds(30), deadline, counts)));
        var acknowledged = (await Task.WhenAll(purchases)).OfType<Acknowledged>().ToList();

        Assert.Equal(stock, acknowledged.Sum(a => a.Quantity));
        Assert.Equal(0, await Shop.RemainingAsync(first, listingId, s_settle));
        Assert.Equal(0, await Shop.RemainingAsync(second, listingId, s_settle));
        var orders = Shop.OrderIds(await Shop.MarketOrdersAsync(first, seller, marketId, s_settle));
        Assert.Equal(acknowledged.Select(a => a.OrderId).Order(), orders.Order());
        Assert.Equal(0, await feed.WaitForRemainingAsync(listingId, r => r == 0, s_settle));
        output.WriteLine($"{acknowledged.Count} orders through both silos ({counts}); the second silo's feed reached 0");

        // A buyer seen on the second silo just now (its session cache holds the session), logged out on the first:
        // the second refuses the token at once, not when its cache entry would have expired.
        var buyer = buyers[0];
        Assert.Equal(buyer.UserId, (await second.SendAsync(HttpMethod.Get, "/api/sessions/current", null, HttpStatusCode.OK, buyer.Token))
            .GetProperty("userId").GetString());
        await first.SendAsync(HttpMethod.Delete, "/api/sessions/current", null, HttpStatusCode.NoContent, buyer.Token);
        var after = await second.TrySendAsync(HttpMethod.Get, "/api/me/orders", null, buyer.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, after.Status);
    }

    /// <summary>A Server-Sent Events reader of a market's feed: the last <c>remaining</c> it saw per listing.</summary>
    private sealed class FeedReader : IDisposable
    {
        private readonly HttpClient _http;
        private readonly HttpResponseMessage _response;
        private readonly StreamReader _reader;
        private readonly Dictionary<string, int> _remaining = new(StringComparer.Ordinal);

        private FeedReader(HttpClient http, HttpResponseMessage response, StreamReader reader)
        {
            _http = http;
            _response = response;
            _reader = reader;
        }

        public static async Task<FeedReader> OpenAsync(Uri node, string marketId)
        {
            var http = new HttpClient { BaseAddress = node, Timeout = Timeout.InfiniteTimeSpan };
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/markets/{marketId}/events");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return new FeedReader(http, response, new StreamReader(await response.Content.ReadAsStreamAsync()));
        }

        /// <summary>Reads events until the listing's remaining stock satisfies <paramref name="expected"/>; returns it.</summary>
        public async Task<int> WaitForRemainingAsync(string listingId, Func<int, bool> expected, TimeSpan deadline)
        {
            using var cancel = new CancellationTokenSource(deadline);
            string? type = null;
            while (!(_remaining.TryGetValue(listingId, out var now) && expected(now)))
            {
                string? line;
                try
                {
                    line = await _reader.ReadLineAsync(cancel.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"The feed did not show the expected stock of {listingId} within {deadline} (last seen: " +
                        $"{(_remaining.TryGetValue(listingId, out var last) ? last : "nothing")}).");
                }

                Assert.NotNull(line); // the stream never ends by itself
                if (line.StartsWith("event:", StringComparison.Ordinal)) type = line[6..].Trim();
                if (!line.StartsWith("data:", StringComparison.Ordinal)) continue;
                var data = JsonDocument.Parse(line[5..]).RootElement;
                if (type == "market")
                {
                    foreach (var listing in data.GetProperty("listings").EnumerateArray()) Note(listing);
                }
                else if (type == "listing")
                {
                    Note(data);
                }
            }

            return _remaining[listingId];
        }

        private void Note(JsonElement listing) => _remaining[listing.GetProperty("listingId").GetString()!] = listing.GetProperty("remaining").GetInt32();

        public void Dispose()
        {
            _reader.Dispose();
            _response.Dispose();
            _http.Dispose();
        }
    }
}

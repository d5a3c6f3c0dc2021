using System.Net;
using System.Net.Sockets;
using System.Net.Http.Json;
using System.Text.Json;
using FleaMarket.Api.Tests.Contract;
using FleaMarket.Api.Tests.Infrastructure;
using EventStream = FleaMarket.TestKit.EventStream;

namespace FleaMarket.Api.Tests.Abuse;

/// <summary>
/// A node at its limit of requests in flight (Api:MaxRequestsInFlight) answers the next request at once with 503
/// <c>unavailable</c> and Retry-After, keeps answering its health checks, /metrics and the live feed, and takes
/// requests again as soon as one in flight ends. Requests are held in flight over a real socket: headers sent, the
/// body promised and not sent.
/// </summary>
public sealed class InFlightLimitTests(ApiClusterFixture fixture) : IClassFixture<ApiClusterFixture>, IAsyncLifetime
{
    private const int Limit = 2;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly List<TcpClient> _held = [];
    private ApiNode _node = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _node = await ApiNode.StartAsync(fixture.Market.Cluster.Client, o => o.MaxRequestsInFlight = Limit, overTcp: true);
        _http = new HttpClient { BaseAddress = _node.Address, Timeout = Deadline };
    }

    public async Task DisposeAsync()
    {
        foreach (var held in _held) held.Dispose();
        _http.Dispose();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task NodeAtItsLimit_AnswersTheNextRequest503WithRetryAfter_ThenServesAgainWhenOneEnds()
    {
        var stall = await Stall.OpenAsync(fixture.NewClient());
        for (var i = 0; i < Limit; i++) await HoldRequestAsync();

        // The held requests take their places as the node reads them: wait until the node is full.
        HttpResponseMessage? refused = null;
        await Eventually.WaitUntilAsync(async () =>
        {
            refused?.Dispose();
            refused = await _http.GetAsync($"/api/listings/{stall.ListingId}");
            return refused.StatusCode == HttpStatusCode.ServiceUnavailable;
        }, Deadline, "the node refuses a request past its limit");
        using (refused)
        {
            Assert.Equal("1", refused!.Headers.GetValues("Retry-After").Single());
            Assert.Equal("unavailable", await Shopper.ProblemCodeAsync(refused));
        }

        // A purchase is refused the same way, before anything is reserved.
        var buyer = await Shopper.SignUpAsync(fixture.NewClient());
        using (var purchase = await buyer.Via(_http).PurchaseAsync(stall.ListingId, 1))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, purchase.StatusCode);
        }

        using (var listing = await fixture.NewClient().GetAsync($"/api/listings/{stall.ListingId}"))
        {
            Assert.Equal(10, (await listing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("remaining").GetInt32());
        }

        // What must answer under load is not counted.
        using (var live = await _http.GetAsync("/health/live")) Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using (var metrics = await _http.GetAsync("/metrics")) Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        await using (var feed = await EventStream.OpenAsync(_http, stall.MarketId))
        {
            await feed.WaitForAsync(e => e.EventType == "market", "the feed's snapshot");
        }

        // One held request ends (its client goes away): the node takes requests again.
        _held[0].Dispose();
        await Eventually.WaitUntilAsync(async () =>
        {
            using var answer = await _http.GetAsync($"/api/listings/{stall.ListingId}");
            return answer.StatusCode == HttpStatusCode.OK;
        }, Deadline, "the node serves again once a request in flight ended");
    }

    /// <summary>Sends a registration's headers with a body it never sends: the request stays in flight.</summary>
    private async Task HoldRequestAsync()
    {
        var client = new TcpClient();
        _held.Add(client);
        await client.ConnectAsync(_node.Address.Host, _node.Address.Port);
        var head = "POST /api/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"u8;
        await client.GetStream().WriteAsync(head.ToArray());
    }
}

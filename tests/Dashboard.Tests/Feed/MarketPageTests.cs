using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FleaMarket.Dashboard.Tests.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FleaMarket.Dashboard.Tests.Feed;

/// <summary>
/// The live market page (/markets/{marketId}, served by dash-1's API) in headless Chromium during a small drop:
/// its stock bars follow the feed to the final numbers, and what the seller typed stays text.
/// </summary>
[Collection(DashboardClusterCollection.Name)]
public sealed class MarketPageTests(DashboardCluster cluster, Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private const string Password = "correct horse battery";
    private const string HostileMarketTitle = "<img src=x onerror=\"window.__xss=1\"> Drop";
    private const string HostileListingTitle = "<script>window.__xss=2</script>Lamp";
    // A process on a machine shared with other builds; each wait ends as soon as the page shows it.
    private static readonly LocatorAssertionsToHaveTextOptions s_within = new() { Timeout = 30_000 };
    private readonly List<string> _pageErrors = [];
    private readonly List<string> _consoleErrors = [];
    private readonly List<string> _failedResponses = [];
    private IBrowserContext _context = null!;

    private Uri Api => cluster.First.ApiUrl;

    public async Task InitializeAsync() => _context = await chromium.Browser.NewContextAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task Page_DuringSmallDrop_BarsReachTheFinalNumbers()
    {
        var seller = await SignUpAsync();
        var marketId = (await SendAsync(seller, "/api/markets", new { title = HostileMarketTitle, opensAt = DateTimeOffset.UtcNow.AddMinutes(-1) })).GetProperty("marketId").GetString()!;
        var lamp = (await SendAsync(seller, $"/api/markets/{marketId}/listings", new { title = HostileListingTitle, priceCents = 1500, quantity = 8 })).GetProperty("listingId").GetString()!;
        var chair = (await SendAsync(seller, $"/api/markets/{marketId}/listings", new { title = "Chair", priceCents = 4200, quantity = 5 })).GetProperty("listingId").GetString()!;
        var buyers = await Task.WhenAll(SignUpAsync(), SignUpAsync());
        var page = await OpenAsync(marketId);
        await Expect(Remaining(page, lamp)).ToHaveTextAsync("8", s_within);
        await Expect(Remaining(page, chair)).ToHaveTextAsync("5", s_within);

        await Task.WhenAll(
            PurchaseAsync(buyers[0], lamp, 1, times: 3),
            PurchaseAsync(buyers[1], lamp, 1, times: 2),
            PurchaseAsync(buyers[1], chair, 5, times: 1));

        await Expect(Remaining(page, lamp)).ToHaveTextAsync("3", s_within);
        await Expect(Remaining(page, chair)).ToHaveTextAsync("0", s_within);
        await Expect(Row(page, chair).Locator(".status")).ToHaveTextAsync("sold-out", s_within);
        await Expect(Row(page, lamp).Locator("progress")).ToHaveJSPropertyAsync("value", 3);
        await Expect(Row(page, lamp).Locator("progress")).ToHaveJSPropertyAsync("max", 8);
        await Expect(Row(page, chair).Locator("progress")).ToHaveJSPropertyAsync("value", 0);
        // The seller's markup is shown as typed and never runs.
        await Expect(page.Locator("#market-title")).ToHaveTextAsync(HostileMarketTitle);
        await Expect(Row(page, lamp).Locator(".title")).ToHaveTextAsync(HostileListingTitle);
        Assert.Equal(0, await page.Locator("main img, header img, main script").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.__xss === undefined"), "The seller's markup ran.");
        AssertNoErrors();
    }

    [Fact]
    public async Task Page_UnknownMarket_SaysSo()
    {
        var page = await OpenAsync("m_" + Guid.NewGuid().ToString("N"));

        await Expect(page.Locator("#market-title")).ToHaveTextAsync("Market not found", s_within);
        Assert.Empty(_pageErrors);
    }

    private async Task<IPage> OpenAsync(string marketId)
    {
        var page = await _context.NewPageAsync();
        page.PageError += (_, error) => _pageErrors.Add(error);
        // A Content-Security-Policy refusal shows up as a console error.
        page.Console += (_, message) =>
        {
            if (message.Type == "error") _consoleErrors.Add(message.Text);
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400) _failedResponses.Add($"{response.Status} {response.Url}");
        };
        var response = await page.GotoAsync(new Uri(Api, $"/markets/{marketId}").ToString());
        Assert.Equal(200, response?.Status);
        return page;
    }

    private void AssertNoErrors()
    {
        Assert.True(_pageErrors.Count == 0, "Script errors on the page:\n" + string.Join('\n', _pageErrors));
        Assert.True(_consoleErrors.Count == 0, "Console errors on the page:\n" + string.Join('\n', _consoleErrors));
        Assert.True(_failedResponses.Count == 0, "Failed requests:\n" + string.Join('\n', _failedResponses));
    }

    private static ILocator Row(IPage page, string listingId) => page.Locator($"li[data-listing-id=\"{listingId}\"]");

    private static ILocator Remaining(IPage page, string listingId) => Row(page, listingId).Locator(".remaining");

    private async Task<string> SignUpAsync()
    {
        var username = "page" + Guid.NewGuid().ToString("N")[..12];
        using var registered = await AdminHttp.Client.PostAsJsonAsync(new Uri(Api, "/api/users"), new { username, password = Password, displayName = "Page test" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        using var login = await AdminHttp.Client.PostAsJsonAsync(new Uri(Api, "/api/sessions"), new { username, password = Password });
        Assert.Equal(HttpStatusCode.Created, login.StatusCode);
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    private async Task<JsonElement> SendAsync(string token, string path, object body, string? idempotencyKey = null, HttpStatusCode expected = HttpStatusCode.Created)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Api, path)) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await AdminHttp.Client.SendAsync(request);
        Assert.True(response.StatusCode == expected, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task PurchaseAsync(string token, string listingId, int quantity, int times)
    {
        for (var i = 0; i < times; i++) await SendAsync(token, $"/api/listings/{listingId}/purchases", new { quantity }, Guid.NewGuid().ToString("N"));
    }
}

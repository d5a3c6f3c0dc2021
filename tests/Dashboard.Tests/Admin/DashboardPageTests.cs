using FleaMarket.Dashboard.Tests.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FleaMarket.Dashboard.Tests.Admin;

/// <summary>The dashboard page in headless Chromium, following a cluster as it grows.</summary>
[Collection(DashboardClusterCollection.Name)]
public sealed class DashboardPageTests(DashboardCluster cluster, Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    // Long enough for a process start plus a membership refresh on a loaded CI machine; the wait ends as soon as the page shows it.
    private static readonly LocatorAssertionsToHaveTextOptions s_textWithin = new() { Timeout = 60_000 };
    private readonly List<string> _pageErrors = [];
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() => _context = await chromium.Browser.NewContextAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task Page_SiloJoins_ShowsBothSilosThenTheThird()
    {
        var page = await _context.NewPageAsync();
        page.PageError += (_, error) => _pageErrors.Add(error);
        var response = await page.GotoAsync(new Uri(cluster.First.AdminUrl, $"/dashboard?key={DashboardCluster.AccessKey}").ToString());
        Assert.Equal(200, response?.Status);

        await Expect(Status(page, "dash-1")).ToHaveTextAsync("Active", s_textWithin);
        await Expect(Status(page, "dash-2")).ToHaveTextAsync("Active", s_textWithin);
        await Expect(page.Locator("#conn")).ToHaveTextAsync("live");

        var third = "dash-3-" + Guid.NewGuid().ToString("N")[..6];
        await cluster.StartSiloAsync(third);
        await Expect(Status(page, third)).ToHaveTextAsync("Active", s_textWithin);
        await Expect(page.Locator("#membership li").First).ToContainTextAsync(third, new() { Timeout = 60_000 });
        Assert.Empty(_pageErrors);
    }

    [Fact]
    public async Task Page_NoKeyConfigured_OpensWithoutKeyWhileKeyedSiloRefuses()
    {
        var page = await _context.NewPageAsync();
        await page.GotoAsync(new Uri(cluster.Second.AdminUrl, "/dashboard").ToString());
        await Expect(Status(page, "dash-1")).ToHaveTextAsync("Active", s_textWithin);

        // dash-1 has a key: its page without one loads nothing but says why.
        var locked = await _context.NewPageAsync();
        var response = await locked.GotoAsync(new Uri(cluster.First.AdminUrl, "/dashboard").ToString());
        Assert.Equal(401, response?.Status);
    }

    private static ILocator Status(IPage page, string silo) => page.Locator($"#silos tr[data-silo='{silo}'] .status");
}

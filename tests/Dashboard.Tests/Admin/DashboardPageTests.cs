using System.Text.RegularExpressions;
using FleaMarket.Dashboard.Tests.Hosting;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FleaMarket.Dashboard.Tests.Admin;

/// <summary>
/// Orleans' dashboard (the single-page app embedded in Microsoft.Orleans.Dashboard) in headless Chromium, opened
/// on dash-1's admin port with the access key in the URL only, following the cluster as a silo joins.
/// </summary>
[Collection(DashboardClusterCollection.Name)]
public sealed class DashboardPageTests(DashboardCluster cluster, Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    // A process start plus a membership refresh on a machine shared with other builds; each wait ends as soon as the page shows it.
    private static readonly LocatorAssertionsToHaveTextOptions s_within = new() { Timeout = 90_000 };
    private readonly List<string> _pageErrors = [];
    private readonly List<string> _failedResponses = [];
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() => _context = await chromium.Browser.NewContextAsync();

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task Silos_OpenedWithKeyAndSiloJoins_ListsBothSilosThenTheThird()
    {
        var page = await OpenAsync($"/dashboard?key={DashboardCluster.AccessKey}#/silos");

        await Expect(SiloStatus(page, "dash-1")).ToHaveTextAsync("Active", s_within);
        await Expect(SiloStatus(page, "dash-2")).ToHaveTextAsync("Active", s_within);

        var third = await cluster.StartSiloAsync("dash-3-" + Guid.NewGuid().ToString("N")[..6]);
        try
        {
            await Expect(SiloStatus(page, third.Name)).ToHaveTextAsync("Active", s_within);
            await Expect(ActiveSilos(page)).ToHaveTextAsync("3", s_within);
            AssertNoErrors();
        }
        finally
        {
            await cluster.StopSiloAsync(third);
        }
    }

    [Fact]
    public async Task Open_KeyInUrl_RedirectsToSlashAndLoadsScriptAndDataWithCookieOnly()
    {
        var page = await OpenAsync($"/dashboard?key={DashboardCluster.AccessKey}");

        Assert.Equal(new Uri(cluster.First.AdminUrl, $"/dashboard/?key={DashboardCluster.AccessKey}").ToString(), page.Url);
        var cookie = Assert.Single(await _context.CookiesAsync(), c => c.Name == $"fleamarket-dashboard-{cluster.First.AdminUrl.Port}");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/dashboard", cookie.Path);
        // OpenAsync waited for figures that come from the JSON the script fetched: none of those requests carried the key.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        AssertNoErrors();
    }

    [Fact]
    public async Task Open_NoKey_Answers401AndSetsNoCookie()
    {
        var page = await _context.NewPageAsync();

        var response = await page.GotoAsync(new Uri(cluster.First.AdminUrl, "/dashboard/").ToString());

        Assert.Equal(401, response?.Status);
        Assert.Empty(await _context.CookiesAsync());
    }

    /// <summary>
    /// Opens <paramref name="path"/> on dash-1's admin port, recording script errors and failed requests, and returns
    /// once the dashboard shows the cluster's counters.
    /// </summary>
    /// <remarks>
    /// Orleans' script re-renders its page on a one-second timer from the counters fetched so far; until the first
    /// DashboardCounters answer those are empty and the Overview and Silos pages throw a TypeError. On a busy machine
    /// that first answer can take longer than a second, so the page's clock is held until the counters are shown:
    /// the race is Orleans', and holding the clock keeps it out of these tests without hiding any error after it.
    /// </remarks>
    private async Task<IPage> OpenAsync(string path)
    {
        var page = await _context.NewPageAsync();
        page.PageError += (_, error) => _pageErrors.Add(error);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400) _failedResponses.Add($"{response.Status} {response.Url}");
        };
        await page.Clock.InstallAsync();
        await page.Clock.PauseAtAsync(DateTime.Now.AddSeconds(1));

        var response = await page.GotoAsync(new Uri(cluster.First.AdminUrl, path).ToString());
        Assert.Equal(200, response?.Status);
        await Expect(ActiveSilos(page)).ToHaveTextAsync(new Regex(@"^\d+$"), s_within);
        await page.Clock.ResumeAsync();
        return page;
    }

    private void AssertNoErrors()
    {
        Assert.True(_pageErrors.Count == 0, "Script errors on the page:\n" + string.Join('\n', _pageErrors));
        Assert.True(_failedResponses.Count == 0, "Failed requests:\n" + string.Join('\n', _failedResponses));
    }

    /// <summary>The "Active Silos" figure, on the overview and on the Silos page.</summary>
    private static ILocator ActiveSilos(IPage page) =>
        page.Locator(".info-box-content", new() { HasText = "Active Silos" }).Locator(".info-box-number");

    /// <summary>
    /// The status label in the "Silo Health" table of the dashboard's Silos page: one row per silo, with the
    /// address, a status label, the silo name and the host name in cells of their own.
    /// </summary>
    private static ILocator SiloStatus(IPage page, string siloName) => page
        .Locator(".card").Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Silo Health" }) })
        .Locator("tr").Filter(new() { Has = page.GetByRole(AriaRole.Cell, new() { NameRegex = new Regex($"^{Regex.Escape(siloName)}$") }) })
        .Locator(".label");
}

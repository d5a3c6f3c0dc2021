using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using FleaMarket.Dashboard.Tests.Hosting;
using FleaMarket.TestKit;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace FleaMarket.Dashboard.Tests.Admin;

/// <summary>
/// A user grain's id is its lower-cased username. Orleans' dashboard profiles calls per grain type and method, not
/// per grain, so its data never names a user; its log stream would (log lines name grains by id), so it is off
/// unless Dashboard:LogStream is set. Each test registers a user of its own on dash-1's API and logs in
/// <see cref="Logins"/> times.
/// </summary>
[Collection(DashboardClusterCollection.Name)]
public sealed class DashboardUsernameTests(DashboardCluster cluster, Chromium chromium) : IClassFixture<Chromium>
{
    private const int Logins = 5;
    private const string Password = "correct horse battery";
    private const string UserGrain = "FleaMarket.Grains.Users.UserGrain";
    private static readonly TimeSpan s_within = TimeSpan.FromSeconds(60);
    private static readonly (string, string) s_key = ("X-Dashboard-Key", DashboardCluster.AccessKey);

    [Fact]
    public async Task DashboardData_UserLoggedInSeveralTimes_NeverContainsTheUsername()
    {
        var username = await UserSeenByProfilerAsync();

        using var counters = await DashboardJsonAsync("DashboardCounters");
        var silos = counters.RootElement.GetProperty("hosts").EnumerateArray().Select(h => h.GetProperty("siloAddress").GetString()!).ToList();
        using var types = await DashboardJsonAsync("GrainTypes");
        var grainTypes = types.RootElement.EnumerateArray().Select(t => t.GetString()!).Where(t => t.StartsWith("FleaMarket.", StringComparison.Ordinal)).ToList();
        Assert.Contains(UserGrain, grainTypes);
        List<string> paths =
        [
            "DashboardCounters", "ClusterStats", "TopGrainMethods", "GrainTypes", "Reminders", "LifecycleStages",
            .. grainTypes.Select(type => $"GrainStats/{type}"),
            .. silos.SelectMany(silo => new[] { "HistoricalStats", "SiloStats", "SiloCounters", "SiloProperties", "SiloMetadata" }.Select(page => $"{page}/{silo}")),
        ];
        foreach (var path in paths)
        {
            using var response = await AdminHttp.GetAsync(cluster.First.AdminUrl, $"/dashboard/{path}", s_key);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"/dashboard/{path} answered {(int)response.StatusCode}");
            Assert.DoesNotContain(username, await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task DashboardPages_UserLoggedInSeveralTimes_NeverShowTheUsername()
    {
        var username = await UserSeenByProfilerAsync();
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var dashboard = new Uri(cluster.First.AdminUrl, $"/dashboard/?key={DashboardCluster.AccessKey}").ToString();
        var within = new LocatorAssertionsToBeVisibleOptions { Timeout = (float)s_within.TotalMilliseconds };

        // Each page is checked once it shows what it is about: the user grain's page once it graphs the logins.
        (string Route, ILocator Shown)[] pages =
        [
            ("#/grain/" + UserGrain, page.GetByText(new Regex("VerifyPassword")).First),
            ("#/", page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Exact = true })),
            ("#/grains", page.GetByRole(AriaRole.Heading, new() { Name = "Grains", Exact = true })),
            ("#/silos", page.GetByRole(AriaRole.Heading, new() { Name = "Silos", Exact = true })),
            ("#/reminders", page.GetByRole(AriaRole.Heading, new() { Name = "Reminders", Exact = true })),
            ("#/trace", page.GetByText("The trace endpoint is disabled")),
        ];
        foreach (var (route, shown) in pages)
        {
            await page.GotoAsync(dashboard + route);
            await Expect(shown).ToBeVisibleAsync(within);
            Assert.DoesNotContain(username, await page.ContentAsync(), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task LogStream_Default_Answers403()
    {
        Assert.Equal(HttpStatusCode.Forbidden, await AdminHttp.StatusAsync(cluster.First.AdminUrl, "/dashboard/Trace", s_key));
        Assert.Equal(HttpStatusCode.Forbidden, await AdminHttp.StatusAsync(cluster.Second.AdminUrl, "/dashboard/Trace"));
    }

    [Fact]
    public async Task LogStream_EnabledAndGrainLookupsLogged_StreamsTheUsername()
    {
        // Why the log stream is off by default: a silo that sends a call logs the target grain's id at Debug
        // ("Looking up address for grain user/<username>"), and warnings such as timeouts name it too.
        var silo = await cluster.StartSiloAsync("dash-log-" + Guid.NewGuid().ToString("N")[..6], new()
        {
            ["Api__Enabled"] = "true",
            ["Dashboard__LogStream"] = "true",
            ["Logging__LogLevel__Orleans.Runtime.Placement"] = "Debug",
        });
        try
        {
            using var timeout = new CancellationTokenSource(s_within);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(silo.AdminUrl, "/dashboard/Trace"));
            using var stream = await AdminHttp.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
            using var log = new StreamReader(await stream.Content.ReadAsStreamAsync(timeout.Token));

            var username = await RegisterAsync(silo.ApiUrl);

            while (await log.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Contains($"user/{username}", StringComparison.Ordinal)) return;
            }

            Assert.Fail("The log stream ended without naming the user grain.");
        }
        finally
        {
            await cluster.StopSiloAsync(silo);
        }
    }

    /// <summary>
    /// Registers a user on dash-1's API, logs in <see cref="Logins"/> times while the dashboard's profiler runs, and
    /// returns the lower-cased username (the grain id) once the dashboard counts those logins.
    /// </summary>
    private async Task<string> UserSeenByProfilerAsync()
    {
        var username = await RegisterAsync(cluster.First.ApiUrl);

        // The profiler runs while the dashboard is queried (a query turns it on cluster-wide for a minute): query it
        // until it shows a call counted after this point, so the logins below are all counted.
        var since = DateTimeOffset.UtcNow;
        await Eventually.WaitUntilAsync(async () => (await CallsSinceAsync("ClusterStats", since)) > 0, "the dashboard's profiler to count calls", s_within);

        since = DateTimeOffset.UtcNow;
        for (var i = 0; i < Logins; i++)
        {
            using var login = await AdminHttp.Client.PostAsJsonAsync(new Uri(cluster.First.ApiUrl, "/api/sessions"), new { username, password = Password });
            Assert.Equal(HttpStatusCode.Created, login.StatusCode);
        }

        await Eventually.WaitUntilAsync(async () => await CallsSinceAsync($"GrainStats/{UserGrain}", since, $"{UserGrain}.VerifyPassword") >= Logins,
            $"the dashboard to count {Logins} calls of {UserGrain}.VerifyPassword", s_within);
        return username;
    }

    /// <summary>Registers a fresh user (mixed case, as a client may send it) and returns the username the grain is keyed by.</summary>
    private static async Task<string> RegisterAsync(Uri api)
    {
        var username = "Dash" + Guid.NewGuid().ToString("N")[..12];
        using var response = await AdminHttp.Client.PostAsJsonAsync(new Uri(api, "/api/users"), new { username, password = Password, displayName = "Dashboard test" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return username.ToLowerInvariant();
    }

    /// <summary>
    /// Calls the dashboard's history at <paramref name="path"/> counts in periods after <paramref name="since"/>: all of
    /// them, or those of one grain method when <paramref name="method"/> is given (GrainStats answers per method).
    /// </summary>
    private async Task<long> CallsSinceAsync(string path, DateTimeOffset since, string? method = null)
    {
        using var history = await DashboardJsonAsync(path);
        if (method is not null && !history.RootElement.TryGetProperty(method, out _)) return 0;
        var periods = method is null ? history.RootElement : history.RootElement.GetProperty(method);
        return periods.EnumerateObject()
            .Where(p => p.Value.GetProperty("period").GetDateTimeOffset() > since)
            .Sum(p => p.Value.GetProperty("count").GetInt64());
    }

    private async Task<JsonDocument> DashboardJsonAsync(string path)
    {
        using var response = await AdminHttp.GetAsync(cluster.First.AdminUrl, $"/dashboard/{path}", s_key);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
    }
}

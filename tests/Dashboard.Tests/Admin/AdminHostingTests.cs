using System.Net;
using FleaMarket.Dashboard.Tests.Hosting;

namespace FleaMarket.Dashboard.Tests.Admin;

/// <summary>
/// The admin port's Host check and the start-time refusal to expose it without a key, on real silo processes.
/// dash-1 (key, API) answers the default loopback names; dash-2 (no key: the case DNS rebinding attacks) answers
/// <see cref="DashboardCluster.SecondAllowedHosts"/>. "{port}" in a host stands for the silo's admin port.
/// </summary>
[Collection(DashboardClusterCollection.Name)]
public sealed class AdminHostingTests(DashboardCluster cluster, Chromium chromium) : IClassFixture<Chromium>
{
    private const string Key = DashboardCluster.AccessKey;

    // What a browser sends for a page on a name made to resolve to 127.0.0.1, and names that only start like loopback ones.
    public static TheoryData<string> ForeignHosts =>
        ["evil.example", "evil.example:{port}", "localhost.evil.example:{port}", "127.0.0.1.nip.io:{port}", "[::2]:{port}", "admin.test:{port}"];

    public static TheoryData<string> AdminPaths => ["/dashboard/", "/dashboard/DashboardCounters", "/metrics", "/health/ready"];

    [Theory]
    [MemberData(nameof(ForeignHosts))]
    public async Task UseFleaMarketAdmin_ForeignHostOnAdminPort_Answers400(string host)
    {
        foreach (var path in AdminPaths)
        {
            // The Host check comes before the key: a valid key does not open the admin port under a foreign name.
            using var keyed = await AdminHttp.GetAsync(cluster.First.AdminUrl, path, ("Host", Port(host, cluster.First)), ("X-Dashboard-Key", Key));
            Assert.Equal(HttpStatusCode.BadRequest, keyed.StatusCode);
            Assert.Contains("Invalid Hostname", await keyed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.BadRequest, await AdminHttp.StatusAsync(cluster.Second.AdminUrl, path, ("Host", Port(host, cluster.Second))));
        }
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:{port}")]
    [InlineData("LocalHost:{port}")]
    [InlineData("127.0.0.1:{port}")]
    [InlineData("[::1]:{port}")]
    public async Task UseFleaMarketAdmin_DefaultLoopbackHostOnAdminPort_Serves(string host)
    {
        var first = cluster.First;
        Assert.Equal(HttpStatusCode.OK, await AdminHttp.StatusAsync(first.AdminUrl, "/dashboard/DashboardCounters", ("Host", Port(host, first)), ("X-Dashboard-Key", Key)));
        Assert.Equal(HttpStatusCode.OK, await AdminHttp.StatusAsync(first.AdminUrl, "/metrics", ("Host", Port(host, first)), ("X-Dashboard-Key", Key)));
        Assert.Equal(HttpStatusCode.OK, await AdminHttp.StatusAsync(first.AdminUrl, "/health/ready", ("Host", Port(host, first))));
    }

    [Fact]
    public async Task UseFleaMarketAdmin_ConfiguredAllowedHosts_ServesThoseAndRefusesTheDefaults()
    {
        var second = cluster.Second;
        Assert.Equal(HttpStatusCode.OK, await AdminHttp.StatusAsync(second.AdminUrl, "/dashboard/DashboardCounters", ("Host", Port("ops.admin.test:{port}", second))));
        Assert.Equal(HttpStatusCode.OK, await AdminHttp.StatusAsync(second.AdminUrl, "/dashboard/DashboardCounters", ("Host", Port("127.0.0.1:{port}", second))));
        // Admin:AllowedHosts replaces the default list.
        Assert.Equal(HttpStatusCode.BadRequest, await AdminHttp.StatusAsync(second.AdminUrl, "/dashboard/DashboardCounters", ("Host", Port("localhost:{port}", second))));
    }

    [Theory]
    [InlineData("shop.example")]
    [InlineData("evil.example:443")]
    public async Task UseFleaMarketAdmin_AnyHostOnApiPort_IsNotChecked(string host)
    {
        // API clients reach the API under many names: the admin port's list does not apply to it.
        var api = cluster.First.ApiUrl;
        Assert.Equal(HttpStatusCode.OK, await AdminHttp.StatusAsync(api, "/health/live", ("Host", host)));
        Assert.Equal(HttpStatusCode.Unauthorized, await AdminHttp.StatusAsync(api, "/api/me", ("Host", host)));
    }

    [Fact]
    public async Task UseFleaMarketAdmin_BrowserOnRebindingName_Answers400AndOnAllowedName200()
    {
        // Chromium resolves both names to 127.0.0.1: what a page on evil.rebind.test would reach after DNS rebinding.
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var port = cluster.Second.AdminUrl.Port;

        var rebinding = await page.GotoAsync($"http://evil.{Chromium.RebindingDomain}:{port}/dashboard/");
        Assert.Equal(400, rebinding?.Status);
        Assert.Contains("Invalid Hostname", await page.ContentAsync(), StringComparison.Ordinal);

        var allowed = await page.GotoAsync($"http://ops.{Chromium.AdminDomain}:{port}/dashboard/");
        Assert.Equal(200, allowed?.Status);
    }

    [Theory]
    [InlineData("http://0.0.0.0:{port}")]
    [InlineData("http://*:{port}")]
    [InlineData("http://[::]:{port}")]
    [InlineData("http://fleamarket-admin:{port}")]
    [InlineData("http://127.0.0.1:{port};http://0.0.0.0:{port}")]
    public async Task AddFleaMarketAdmin_AdminUrlsBeyondLoopbackWithoutKey_RefusesToStart(string urls)
    {
        var output = await RefusedStartAsync(new() { ["Admin__Urls"] = urls.Replace("{port}", $"{SiloProcess.FreeLoopbackPort()}", StringComparison.Ordinal) });

        Assert.Contains("listens beyond loopback", output, StringComparison.Ordinal);
        Assert.Contains("Dashboard:AccessKey", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost")]
    [InlineData("localhost:8081")]
    [InlineData("::1")]
    public async Task AddFleaMarketAdmin_AllowedHostThatCanNeverMatch_RefusesToStart(string host)
    {
        var output = await RefusedStartAsync(new() { ["Admin__AllowedHosts"] = $"127.0.0.1;{host}" });

        Assert.Contains($"Admin:AllowedHosts has '{host}'", output, StringComparison.Ordinal);
    }

    /// <summary>Starts a silo with <paramref name="settings"/>, expects it to exit before it is ready, and returns its output.</summary>
    private async Task<string> RefusedStartAsync(Dictionary<string, string> settings)
    {
        SiloProcess? started = null;
        try
        {
            started = await cluster.StartSiloAsync("refused-" + Guid.NewGuid().ToString("N")[..6], settings);
        }
        catch (SiloExitedException exited)
        {
            return exited.Output;
        }
        finally
        {
            if (started is not null) await cluster.StopSiloAsync(started);
        }

        Assert.Fail("The silo started; it should have refused these settings.");
        return "";
    }

    private static string Port(string host, SiloProcess silo) => host.Replace("{port}", $"{silo.AdminUrl.Port}", StringComparison.Ordinal);
}

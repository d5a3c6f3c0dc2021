using System.Net;
using FleaMarket.Dashboard.Tests.Hosting;
using Microsoft.Net.Http.Headers;

namespace FleaMarket.Dashboard.Tests.Admin;

/// <summary>
/// The admin gate on real silo processes: the access key on the dashboard (its page, assets and JSON) and
/// /metrics, the dashboard cookie a valid <c>?key=</c> sets, open health probes, and no dashboard on the API port.
/// dash-1 has the key and serves the API; dash-2 has no key.
/// </summary>
[Collection(DashboardClusterCollection.Name)]
public sealed class AdminGateTests(DashboardCluster cluster)
{
    private const string Key = DashboardCluster.AccessKey;

    // The page, an asset and a JSON endpoint the dashboard's script polls, and the exporter.
    public static TheoryData<string> GatedPaths => ["/dashboard", "/dashboard/", "/dashboard/index.min.js", "/dashboard/DashboardCounters", "/metrics"];

    [Theory]
    [MemberData(nameof(GatedPaths))]
    public async Task InvokeAsync_KeySetAndNoneGiven_Answers401(string path)
    {
        using var response = await AdminHttp.GetAsync(cluster.First.AdminUrl, path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(response.Headers.Contains(HeaderNames.SetCookie));
    }

    [Theory]
    [MemberData(nameof(GatedPaths))]
    public async Task InvokeAsync_WrongKeyInQueryOrHeader_Answers401(string path)
    {
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        Assert.Equal(HttpStatusCode.Unauthorized, await AdminHttp.StatusAsync(cluster.First.AdminUrl, $"{path}{separator}key=wrong-key-123"));
        Assert.Equal(HttpStatusCode.Unauthorized, await AdminHttp.StatusAsync(cluster.First.AdminUrl, path, ("X-Dashboard-Key", "wrong-key-123")));
    }

    [Theory]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/index.min.js")]
    [InlineData("/dashboard/DashboardCounters")]
    [InlineData("/metrics")]
    public async Task InvokeAsync_KeyInHeader_Answers200(string path)
    {
        Assert.Equal(HttpStatusCode.OK, await AdminHttp.StatusAsync(cluster.First.AdminUrl, path, ("X-Dashboard-Key", Key)));
    }

    [Fact]
    public async Task InvokeAsync_KeyInQueryOnDashboard_SetsHttpOnlyStrictCookieScopedToDashboard()
    {
        using var page = await AdminHttp.GetAsync(cluster.First.AdminUrl, $"/dashboard/?key={Key}");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var cookie = Assert.Single(SetCookies(page));
        Assert.Equal($"fleamarket-dashboard-{cluster.First.AdminUrl.Port}", cookie.Name.Value);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(Microsoft.Net.Http.Headers.SameSiteMode.Strict, cookie.SameSite);
        Assert.Equal("/dashboard", cookie.Path.Value);
        Assert.DoesNotContain(Key, cookie.Value.Value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/index.min.js")]
    [InlineData("/dashboard/index.css")]
    [InlineData("/dashboard/DashboardCounters")]
    [InlineData("/dashboard/ClusterStats")]
    public async Task InvokeAsync_DashboardCookieWithoutKey_Answers200(string path)
    {
        var cookie = await DashboardCookieAsync();

        Assert.Equal(HttpStatusCode.OK, await AdminHttp.StatusAsync(cluster.First.AdminUrl, path, ("Cookie", cookie)));
    }

    [Fact]
    public async Task InvokeAsync_DashboardCookieOnMetrics_Answers401()
    {
        // The cookie opens the dashboard only: scrapers use the key itself.
        var cookie = await DashboardCookieAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, await AdminHttp.StatusAsync(cluster.First.AdminUrl, "/metrics", ("Cookie", cookie)));
    }

    [Fact]
    public async Task InvokeAsync_ForgedOrForeignCookie_Answers401()
    {
        var port = cluster.First.AdminUrl.Port;
        var valid = (await DashboardCookieAsync()).Split('=', 2)[1];

        // A made-up token, and the right token under another admin port's cookie name.
        Assert.Equal(HttpStatusCode.Unauthorized, await AdminHttp.StatusAsync(cluster.First.AdminUrl, "/dashboard/", ("Cookie", $"fleamarket-dashboard-{port}=forged-token")));
        Assert.Equal(HttpStatusCode.Unauthorized, await AdminHttp.StatusAsync(cluster.First.AdminUrl, "/dashboard/", ("Cookie", $"fleamarket-dashboard-{port + 1}={valid}")));
    }

    [Fact]
    public async Task InvokeAsync_WrongKeyNextToValidCookie_Answers401()
    {
        var cookie = await DashboardCookieAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, await AdminHttp.StatusAsync(cluster.First.AdminUrl, "/dashboard/?key=wrong-key-123", ("Cookie", cookie)));
    }

    [Fact]
    public async Task InvokeAsync_DashboardWithoutSlashAndKey_Redirects301KeepingKeyThenServesPage()
    {
        using var redirect = await AdminHttp.GetAsync(cluster.First.AdminUrl, $"/dashboard?key={Key}");

        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        var location = new Uri(cluster.First.AdminUrl, redirect.Headers.Location!);
        Assert.Equal($"/dashboard/?key={Key}", location.PathAndQuery);
        Assert.Single(SetCookies(redirect));
        Assert.Equal(HttpStatusCode.OK, await AdminHttp.StatusAsync(location, location.PathAndQuery));
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task InvokeAsync_HealthProbeWithoutKey_Answers200(string path)
    {
        Assert.Equal(HttpStatusCode.OK, await AdminHttp.StatusAsync(cluster.First.AdminUrl, path));
    }

    [Theory]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/DashboardCounters")]
    [InlineData("/metrics")]
    public async Task InvokeAsync_NoKeyConfigured_Answers200WithoutKey(string path)
    {
        using var response = await AdminHttp.GetAsync(cluster.Second.AdminUrl, path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(SetCookies(response));
    }

    [Theory]
    [InlineData("/dashboard")]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/index.min.js")]
    [InlineData("/dashboard/DashboardCounters")]
    public async Task InvokeAsync_DashboardOnApiPort_Answers404EvenWithKeyAndAdminHost(string path)
    {
        // The API port faces the load balancer: no key, Host header or cookie makes it serve the dashboard.
        var adminHost = ("Host", cluster.First.AdminUrl.Authority);
        var api = cluster.First.ApiUrl;
        Assert.Equal(HttpStatusCode.NotFound, await AdminHttp.StatusAsync(api, path));
        Assert.Equal(HttpStatusCode.NotFound, await AdminHttp.StatusAsync(api, $"{path}?key={Key}", adminHost));
        Assert.Equal(HttpStatusCode.NotFound, await AdminHttp.StatusAsync(api, path, adminHost, ("X-Dashboard-Key", Key), ("Cookie", await DashboardCookieAsync())));
    }

    [Fact]
    public async Task InvokeAsync_ApiPort_ServesTheApi()
    {
        // The 404s above come from the gate, not from a port that serves nothing.
        Assert.Equal(HttpStatusCode.OK, await AdminHttp.StatusAsync(cluster.First.ApiUrl, "/health/live"));
    }

    /// <summary>The dashboard cookie dash-1 sets for a valid <c>?key=</c>, as a Cookie header value.</summary>
    private async Task<string> DashboardCookieAsync()
    {
        using var response = await AdminHttp.GetAsync(cluster.First.AdminUrl, $"/dashboard/version?key={Key}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = Assert.Single(SetCookies(response));
        return $"{cookie.Name}={cookie.Value}";
    }

    private static IList<SetCookieHeaderValue> SetCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues(HeaderNames.SetCookie, out var values) ? SetCookieHeaderValue.ParseList([.. values]) : [];
}

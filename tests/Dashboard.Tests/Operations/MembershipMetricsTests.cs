using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using FleaMarket.Dashboard.Tests.Hosting;
using FleaMarket.TestKit;

namespace FleaMarket.Dashboard.Tests.Operations;

/// <summary>/metrics of a pure silo (dash-2: Api:Enabled=false, no access key) scraped as Prometheus would.</summary>
[Collection(DashboardClusterCollection.Name)]
public sealed partial class MembershipMetricsTests(DashboardCluster cluster)
{
    [Fact]
    public async Task Metrics_PureSilo_ServesPrometheusTextWithOrleansActivations()
    {
        using var response = await AdminHttp.GetAsync(cluster.Second.AdminUrl, "/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE orleans_catalog_activations gauge", text, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"^orleans_catalog_activations\{[^}]*\} \d+", RegexOptions.Multiline), text);
        Assert.Contains("# TYPE fleamarket_silos gauge", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_PureSilo_CountsEveryRunningSiloAsActive()
    {
        // The gauge reads the silo's membership view, which follows the table within a refresh: wait for it.
        await Eventually.WaitUntilAsync(async () => ActiveSilos(await MetricsAsync()) == cluster.RunningCount,
            $"fleamarket_silos{{status=\"active\"}} on dash-2 to be {cluster.RunningCount}", TimeSpan.FromSeconds(60));

        Assert.True(cluster.RunningCount >= 2);
    }

    private async Task<string> MetricsAsync()
    {
        using var response = await AdminHttp.GetAsync(cluster.Second.AdminUrl, "/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The value of <c>fleamarket_silos{status="active"}</c>, or null when the series is absent.</summary>
    private static int? ActiveSilos(string metrics) =>
        ActiveSilosSample().Match(metrics) is { Success: true } match ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    [GeneratedRegex("""^fleamarket_silos\{[^}]*status="active"[^}]*\} (\d+)""", RegexOptions.Multiline)]
    private static partial Regex ActiveSilosSample();
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FleaMarket.Dashboard.Tests.Hosting;

namespace FleaMarket.Dashboard.Tests.Admin;

/// <summary>The admin port's routes on real silo processes: JSON shape, access key, metrics, probes, isolation.</summary>
[Collection(DashboardClusterCollection.Name)]
public sealed class AdminEndpointsTests(DashboardCluster cluster)
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Cluster_TwoSilosAndApiTraffic_ReturnsCamelCaseShapeWithBothSilosAndCalls()
    {
        // A registration runs a user grain somewhere in the cluster: some silo then reports calls and activations.
        var username = "dash" + Guid.NewGuid().ToString("N")[..12];
        using var registered = await s_http.PostAsJsonAsync(new Uri(cluster.First.ApiUrl, "/api/users"),
            new { username, password = "correct-horse-battery", displayName = "Dashboard" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        using var json = await ClusterAsync(cluster.Second.AdminUrl);
        var root = json.RootElement;
        Assert.True(root.GetProperty("sampledAt").TryGetDateTimeOffset(out _));
        Assert.Equal(JsonValueKind.Number, root.GetProperty("viewVersion").ValueKind);
        var silos = root.GetProperty("silos").EnumerateArray().ToList();
        Assert.Equal(root.GetProperty("siloAddress").GetString(), silos[0].GetProperty("address").GetString());
        Assert.Equal("dash-2", silos[0].GetProperty("name").GetString());
        Assert.Contains(silos, s => s.GetProperty("name").GetString() == "dash-1");
        foreach (var silo in silos.Where(s => s.GetProperty("name").GetString() is "dash-1" or "dash-2"))
        {
            Assert.Equal("Active", silo.GetProperty("status").GetString());
            Assert.True(silo.GetProperty("uptimeSeconds").GetDouble() >= 0);
            Assert.True(silo.GetProperty("activations").GetInt32() >= 0);
            Assert.Equal(JsonValueKind.Object, silo.GetProperty("activationsByType").ValueKind);
            Assert.Equal(JsonValueKind.Array, silo.GetProperty("hottestGrains").ValueKind);
            Assert.Equal(JsonValueKind.Null, silo.GetProperty("error").ValueKind);
        }

        var calls = silos.SelectMany(s => s.GetProperty("calls").EnumerateArray()).ToList();
        Assert.Contains(calls, c => c.GetProperty("calls").GetInt64() > 0 && c.GetProperty("grainType").GetString() is { Length: > 0 });
        Assert.All(calls, c => Assert.True(c.GetProperty("totalLatencyMs").GetDouble() >= 0 && c.GetProperty("failures").GetInt64() >= 0));
        var hot = silos.SelectMany(s => s.GetProperty("hottestGrains").EnumerateArray()).ToList();
        Assert.Contains(hot, g => g.GetProperty("grainId").GetString() is { Length: > 0 } && g.GetProperty("calls").GetInt64() > 0);

        var changes = root.GetProperty("membership").EnumerateArray().ToList();
        Assert.NotEmpty(changes);
        Assert.Contains(changes.Last().GetProperty("silos").EnumerateObject(), s => s.Name.StartsWith("dash-1 (", StringComparison.Ordinal) && s.Value.GetString() == "Active");
    }

    [Fact]
    public async Task Dashboard_AccessKeySet_RefusesRequestsWithoutTheKey()
    {
        foreach (var path in new[] { "/dashboard", "/dashboard/api/cluster", "/metrics", "/dashboard/api/cluster?key=wrong-key-123" })
        {
            using var response = await s_http.GetAsync(new Uri(cluster.First.AdminUrl, path));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var byQuery = await s_http.GetAsync(new Uri(cluster.First.AdminUrl, $"/dashboard?key={DashboardCluster.AccessKey}"));
        Assert.Equal(HttpStatusCode.OK, byQuery.StatusCode);
        Assert.Equal("text/html", byQuery.Content.Headers.ContentType?.MediaType);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.First.AdminUrl, "/dashboard/api/cluster"));
        request.Headers.Add("X-Dashboard-Key", DashboardCluster.AccessKey);
        using var byHeader = await s_http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, byHeader.StatusCode);
    }

    [Fact]
    public async Task Metrics_PureSilo_ServesPrometheusTextWithRuntimeMeters()
    {
        using var response = await s_http.GetAsync(new Uri(cluster.Second.AdminUrl, "/metrics"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("# TYPE fleamarket_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_ActiveSilo_LiveAndReadyAnswer200WithoutKey()
    {
        foreach (var path in new[] { "/health/live", "/health/ready" })
        {
            using var response = await s_http.GetAsync(new Uri(cluster.First.AdminUrl, path));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task ApiPort_AdminRoutes_AreNotServed()
    {
        // Even with the admin port's Host header: the admin routes live on another server, not behind a Host filter.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.First.ApiUrl, $"/dashboard/api/cluster?key={DashboardCluster.AccessKey}"));
        request.Headers.Host = cluster.First.AdminUrl.Authority;
        using var response = await s_http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static async Task<JsonDocument> ClusterAsync(Uri adminUrl)
    {
        using var response = await s_http.GetAsync(new Uri(adminUrl, "/dashboard/api/cluster"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
    }
}

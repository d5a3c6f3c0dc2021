using System.Net;
using System.Text.Json;
using FleaMarket.Dashboard.Tests.Hosting;
using FleaMarket.TestKit;

namespace FleaMarket.Dashboard.Tests.Operations;

/// <summary>/health/ready on the admin port of a silo process joining the cluster.</summary>
[Collection(DashboardClusterCollection.Name)]
public sealed class SiloReadyCheckTests(DashboardCluster cluster)
{
    [Fact]
    public async Task Ready_SiloJoining_Answers200OnceActiveAndPeersListItActive()
    {
        // StartSiloAsync returns once this process holds its admin port and /health/ready there answered 200.
        var silo = await cluster.StartSiloAsync("ready-" + Guid.NewGuid().ToString("N")[..6]);
        try
        {
            Assert.Equal(HttpStatusCode.OK, await silo.ReadyStatusAsync());
            Assert.Equal(HttpStatusCode.OK, await AdminHttp.StatusAsync(silo.AdminUrl, "/health/live"));
            // Ready means Active in the membership table, so the peers' next table read lists it Active.
            await Eventually.WaitUntilAsync(async () => await StatusOnPeerAsync(silo.Name) == "Active",
                $"dash-2's dashboard to list {silo.Name} as Active", TimeSpan.FromSeconds(60));
        }
        finally
        {
            await cluster.StopSiloAsync(silo);
        }

        // Orleans' dashboard lists active silos only: a silo that left drops off the list.
        await Eventually.WaitUntilAsync(async () => await StatusOnPeerAsync(silo.Name) is null,
            $"dash-2's dashboard to drop the stopped {silo.Name}", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Ready_FixtureSilos_Answer200WithoutKey()
    {
        Assert.Equal(HttpStatusCode.OK, await cluster.First.ReadyStatusAsync());
        Assert.Equal(HttpStatusCode.OK, await cluster.Second.ReadyStatusAsync());
    }

    /// <summary>The status dash-2's dashboard reports for <paramref name="siloName"/> (from the membership table), or null when it is not listed.</summary>
    private async Task<string?> StatusOnPeerAsync(string siloName)
    {
        using var response = await AdminHttp.GetAsync(cluster.Second.AdminUrl, "/dashboard/DashboardCounters");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var counters = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
        return counters.RootElement.GetProperty("hosts").EnumerateArray()
            .Where(h => h.GetProperty("siloName").GetString() == siloName)
            .Select(h => h.GetProperty("status").GetString())
            .LastOrDefault();
    }
}

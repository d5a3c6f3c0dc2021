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
        var silo = await cluster.StartSiloAsync("ready-" + Guid.NewGuid().ToString("N")[..6], waitUntilReady: false);
        try
        {
            // Until then the admin port either does not listen yet or answers 503; never anything else.
            List<HttpStatusCode> seen = [];
            await Eventually.WaitUntilAsync(async () =>
            {
                Assert.False(silo.HasExited, $"Silo {silo.Name} exited at start:\n{silo.Output}");
                if (await silo.ReadyStatusAsync() is not { } status) return false;
                seen.Add(status);
                return status == HttpStatusCode.OK;
            }, $"/health/ready of {silo.Name} to answer 200", TimeSpan.FromSeconds(60));
            Assert.All(seen.SkipLast(1), status => Assert.Equal(HttpStatusCode.ServiceUnavailable, status));

            Assert.Equal(HttpStatusCode.OK, await AdminHttp.StatusAsync(silo.AdminUrl, "/health/live"));
            await Eventually.WaitUntilAsync(async () => await StatusOnPeerAsync(silo.Name) == "Active",
                $"dash-2's dashboard to list {silo.Name} as Active", TimeSpan.FromSeconds(30));
        }
        finally
        {
            await cluster.StopSiloAsync(silo);
        }
    }

    [Fact]
    public async Task Ready_FixtureSilos_Answer200WithoutKey()
    {
        Assert.Equal(HttpStatusCode.OK, await cluster.First.ReadyStatusAsync());
        Assert.Equal(HttpStatusCode.OK, await cluster.Second.ReadyStatusAsync());
    }

    /// <summary>The status dash-2's dashboard reports for <paramref name="siloName"/> (from the membership table), or null.</summary>
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

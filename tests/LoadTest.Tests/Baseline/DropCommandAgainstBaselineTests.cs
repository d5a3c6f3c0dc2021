using System.Text.Json;
using FleaMarket.LoadTest.Tests.Infrastructure;

namespace FleaMarket.LoadTest.Tests.Baseline;

/// <summary>The command line scripts run, end to end against the baseline.</summary>
[Collection(BaselineCollection.Name)]
public sealed class DropCommandAgainstBaselineTests(BaselineFixture baseline)
{
    [Fact]
    public async Task Drop_Json_PrintsOneDocumentAndExitsZero()
    {
        var (exitCode, stdout, stderr) = await LoadTestProcess.RunAsync(
            "drop", "--base-url", baseline.BaseUrl.ToString(), "--opens-in", "1", "--listings", "1", "--stock", "10", "--max-per-buyer", "1",
            "--quantity", "1", "--buyers", "15", "--concurrency", "8", "--rate", "0", "--duration", "20", "--json");

        Assert.True(exitCode == 0, $"exit {exitCode}\n{stdout}\n{stderr}");
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("passed").GetBoolean());
        Assert.Equal(10, root.GetProperty("verification").GetProperty("unitsSold").GetInt64());
        Assert.Equal(10, root.GetProperty("run").GetProperty("statuses").GetProperty("201").GetInt64());
        foreach (var figure in new[] { "requestsPerSecond", "ordersPerSecond" }) Assert.True(root.GetProperty("run").GetProperty(figure).GetDouble() > 0);
        foreach (var percentile in new[] { "p50", "p90", "p99", "max" }) Assert.True(root.GetProperty("run").GetProperty("latencyMs").GetProperty(percentile).GetDouble() > 0);
        Assert.Equal(8, root.GetProperty("verification").GetProperty("checks").GetArrayLength());
    }
}

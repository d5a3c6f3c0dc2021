using FleaMarket.LoadTest.Measurement;

namespace FleaMarket.LoadTest.Tests.Measurement;

public sealed class CostProbeTests
{
    [Fact]
    public async Task ReadAsync_ProbePrintsNameValueLines_ReadsEveryCounter()
    {
        var counters = await CostProbe.ReadAsync("printf 'cpu.silo 12.5\\n\\npg.commits 300\\n'", CancellationToken.None);

        Assert.Equal(new Dictionary<string, double> { ["cpu.silo"] = 12.5, ["pg.commits"] = 300 }, counters);
    }

    [Fact]
    public async Task ReadAsync_ProbeFails_ThrowsWithItsErrorOutput()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => CostProbe.ReadAsync("echo 'no state dir' >&2; exit 3", CancellationToken.None));

        Assert.Contains("exited with 3", error.Message);
        Assert.Contains("no state dir", error.Message);
    }

    [Theory]
    [InlineData("cpu.silo")]
    [InlineData("cpu.silo twelve")]
    [InlineData("cpu silo 12")]
    public void Parse_LineNotNameAndNumber_Throws(string line)
    {
        Assert.Throws<FormatException>(() => CostProbe.Parse(line));
    }

    [Fact]
    public void Compare_TwoReadings_GrowthAndGrowthPerThousandOrdersOfCountersPresentAtBothEnds()
    {
        var before = new Dictionary<string, double> { ["cpu.api"] = 10, ["cpu.silo"] = 4, ["cpu.gone"] = 1 };
        var after = new Dictionary<string, double> { ["cpu.api"] = 13, ["cpu.silo"] = 5.5, ["cpu.new"] = 2 };

        var cost = CostProbe.Compare("probe", before, after, windowSeconds: 20, orders: 6000);

        Assert.Equal(new Dictionary<string, double> { ["cpu.api"] = 3, ["cpu.silo"] = 1.5 }, cost.Deltas);
        Assert.Equal(new Dictionary<string, double> { ["cpu.api"] = 0.5, ["cpu.silo"] = 0.25 }, cost.PerThousandOrders);
    }

    [Fact]
    public void Compare_NoOrders_GrowthWithoutPerOrderFigures()
    {
        var cost = CostProbe.Compare("probe", new Dictionary<string, double> { ["cpu"] = 1 }, new Dictionary<string, double> { ["cpu"] = 2 }, 5, 0);

        Assert.Equal(1, cost.Deltas["cpu"]);
        Assert.Empty(cost.PerThousandOrders);
    }
}

using FleaMarket.LoadTest.Drop;
using FleaMarket.LoadTest.Tests.Drop;
using FleaMarket.LoadTest.Tests.Infrastructure;

namespace FleaMarket.LoadTest.Tests.FleaMarket;

/// <summary>The same rehearsal against FleaMarket itself: the embedded silo process serving the API.</summary>
[Collection(FleaMarketCollection.Name)]
public sealed class DropAgainstFleaMarketTests(FleaMarketFixture fleaMarket)
{
    [Fact]
    public async Task RunAsync_HotListingWithLimit_SellsTheStockOncePerBuyer()
    {
        var options = new DropOptions
        {
            BaseUrl = fleaMarket.BaseUrl, OpensInSeconds = 2, DurationSeconds = 30, Buyers = 50, Stock = 20, MaxPerBuyer = 1, Concurrency = 16,
        };

        var report = await DropRehearsal.RunAsync(options);

        DropAssertions.AssertPassedAndSane(report, expectedUnits: 20, fleaMarket.Output);
        Assert.Equal(20, report.Run.Orders);
        Assert.True(report.Run.Problems.GetValueOrDefault("sold-out") > 0);
    }
}

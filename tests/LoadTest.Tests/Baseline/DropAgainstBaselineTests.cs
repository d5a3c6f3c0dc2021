using FleaMarket.LoadTest.Drop;
using FleaMarket.LoadTest.Tests.Drop;
using FleaMarket.LoadTest.Tests.Infrastructure;

namespace FleaMarket.LoadTest.Tests.Baseline;

/// <summary>The rehearsal's core, called as a library, against the PostgreSQL baseline.</summary>
[Collection(BaselineCollection.Name)]
public sealed class DropAgainstBaselineTests(BaselineFixture baseline)
{
    [Fact]
    public async Task RunAsync_HotListingWithLimit_SellsTheStockOncePerBuyer()
    {
        var report = await DropRehearsal.RunAsync(Options() with { Buyers = 50, Stock = 20, MaxPerBuyer = 1, Concurrency = 16 });

        DropAssertions.AssertPassedAndSane(report, expectedUnits: 20, baseline.Output);
        Assert.Equal(20, report.Run.Orders);
        Assert.Equal(20, report.Run.Statuses["201"]);
        Assert.True(report.Run.Problems.GetValueOrDefault("sold-out") > 0);
    }

    [Fact]
    public async Task RunAsync_LimitBindsBeforeStock_EveryBuyerGetsItsLimitOfEveryListing()
    {
        var report = await DropRehearsal.RunAsync(Options() with { Buyers = 10, Listings = 2, Stock = 100, MaxPerBuyer = 3, Concurrency = 8 });

        DropAssertions.AssertPassedAndSane(report, expectedUnits: 2 * 10 * 3, baseline.Output);
        Assert.Equal(60, report.Verification.Demand);
        Assert.Equal(20, report.Run.Problems["limit-exceeded"]);
        Assert.False(report.Run.Problems.ContainsKey("sold-out"));
    }

    [Fact]
    public async Task RunAsync_SpreadWithoutLimitBuyingTwo_LeavesTheOddUnitOfEachListing()
    {
        var report = await DropRehearsal.RunAsync(Options() with { Buyers = 20, Listings = 10, Stock = 7, Quantity = 2, Concurrency = 12 });

        DropAssertions.AssertPassedAndSane(report, expectedUnits: 10 * 6, baseline.Output);
        Assert.Null(report.Verification.Demand);
        Assert.Equal(30, report.Run.Orders);
    }

    [Fact]
    public async Task RunAsync_WithRate_StartsNoMorePurchasesPerSecondThanAsked()
    {
        var report = await DropRehearsal.RunAsync(Options() with { Buyers = 20, Stock = 40, MaxPerBuyer = 2, Concurrency = 16, Rate = 40 });

        DropAssertions.AssertPassedAndSane(report, expectedUnits: 40, baseline.Output);
        // 60 requests (40 orders, 20 limit answers) at 40/s take about 1.5 s; unpaced they take a fraction of that.
        Assert.True(report.Run.RequestsPerSecond <= 48, $"{report.Run.RequestsPerSecond} requests/s");
    }

    private DropOptions Options() => new() { BaseUrl = baseline.BaseUrl, OpensInSeconds = 1, DurationSeconds = 30, SetupConcurrency = 8 };
}

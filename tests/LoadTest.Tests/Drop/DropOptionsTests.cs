using FleaMarket.LoadTest.Drop;

namespace FleaMarket.LoadTest.Tests.Drop;

public sealed class DropOptionsTests
{
    [Theory]
    [InlineData(1000, 1, null, 500, 1000)] // no limit: everything sells
    [InlineData(1000, 1, 1, 500, 500)] // limit binds: one each
    [InlineData(7, 2, null, 10, 6)] // a purchase of 2 cannot take the last unit
    [InlineData(100, 2, 3, 10, 20)] // a limit of 3 allows one purchase of 2
    public void ExpectedUnitsPerListing_IsMinOfSellableStockAndDemand(int stock, int quantity, int? maxPerBuyer, int buyers, long expected)
    {
        var options = new DropOptions { Stock = stock, Quantity = quantity, MaxPerBuyer = maxPerBuyer, Buyers = buyers };

        Assert.Equal(expected, options.ExpectedUnitsPerListing);
    }

    [Fact]
    public void Validate_Defaults_AreUsable() => Assert.Null(new DropOptions().Validate());

    [Fact]
    public void Validate_LimitBelowQuantity_NamesTheOption()
    {
        Assert.Contains("--max-per-buyer", new DropOptions { Quantity = 2, MaxPerBuyer = 1 }.Validate(), StringComparison.Ordinal);
    }
}

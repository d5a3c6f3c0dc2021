namespace FleaMarket.Grains.Tests.Markets;

/// <summary>A market id with no market behind it leaves no activation and stores nothing, whatever is asked of it.</summary>
[Collection(GrainClusterFixture.Collection)]
public sealed class MarketGrainTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task Get_UnknownId_ReturnsNullAndLeavesNothing()
    {
        var market = Unknown();

        Assert.Null(await market.Get());

        await fixture.AssertLeftNothingAsync(market);
    }

    [Fact]
    public async Task AddListing_UnknownId_ReturnsNotFoundAndLeavesNothing()
    {
        var market = Unknown();

        var result = await market.AddListing("u_seller", new NewListing("Lamp", null, 1500, 1, null));

        Assert.Equal(MarketError.NotFound, result.Error);
        await fixture.AssertLeftNothingAsync(market);
    }

    [Fact]
    public async Task GetOrders_UnknownId_ReturnsNotFoundAndLeavesNothing()
    {
        var market = Unknown();

        Assert.Equal(MarketError.NotFound, (await market.GetOrders("u_seller")).Error);

        await fixture.AssertLeftNothingAsync(market);
    }

    [Fact]
    public async Task ReceiveReminder_UnknownId_LeavesNothing()
    {
        var market = Unknown();

        await market.AsReference<IRemindable>().ReceiveReminder("opening", default);

        await fixture.AssertLeftNothingAsync(market);
    }

    [Fact]
    public async Task Get_ExistingMarket_ReturnsItAndKeepsItsActivation()
    {
        var market = Unknown();
        await market.Create(NewMarket());

        Assert.NotNull(await market.Get());

        Assert.True(fixture.IsActivated(market));
    }

    [Fact]
    public async Task Create_RacingAGetOfTheSameId_IsStoredAndFoundAfterwards()
    {
        // Whichever runs first: a read that finds nothing deactivates, and the create queued behind it is
        // forwarded to the next activation, which stores the market.
        for (var i = 0; i < 20; i++)
        {
            var market = Unknown();
            var get = market.Get();
            var create = market.Create(NewMarket());

            await get;
            Assert.Equal(market.GetPrimaryKeyString(), (await create).MarketId);
            Assert.NotNull(await market.Get());
        }
    }

    private IMarketGrain Unknown() => fixture.Grains.GetGrain<IMarketGrain>($"m_{Guid.NewGuid():N}");

    private NewMarket NewMarket() => new($"u_{Guid.NewGuid():N}", "Drop", null, fixture.Clock.GetUtcNow().AddDays(1), null);
}

using FleaMarket.Grains.Listings;
using FleaMarket.TestKit;

namespace FleaMarket.Grains.Tests.Listings;

/// <summary>A listing id with no listing behind it leaves no activation and stores nothing, whatever is asked of it.</summary>
[Collection(GrainClusterFixture.Collection)]
public sealed class ListingGrainTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task Get_UnknownId_ReturnsNullAndLeavesNothing()
    {
        var listing = Unknown();

        Assert.Null(await listing.Get());

        await AssertLeftNothingAsync(listing);
    }

    [Fact]
    public async Task GetOrders_UnknownId_ReturnsNoneAndLeavesNothing()
    {
        var listing = Unknown();

        Assert.Empty(await listing.GetOrders(null));

        await AssertLeftNothingAsync(listing);
    }

    [Fact]
    public async Task Purchase_UnknownId_ReturnsNotFoundAndLeavesNothing()
    {
        var listing = Unknown();

        Assert.Equal(PurchaseError.NotFound, (await listing.Purchase("u_buyer", 1, "k1")).Error);

        await AssertLeftNothingAsync(listing);
    }

    [Fact]
    public async Task WarmUp_UnknownId_LeavesNothing()
    {
        var listing = Unknown();

        await listing.WarmUp();

        await AssertLeftNothingAsync(listing);
    }

    [Fact]
    public async Task Get_ExistingListing_ReturnsItAndKeepsItsActivation()
    {
        var (listing, _) = await NewListingAsync();

        Assert.NotNull(await listing.Get());

        Assert.True(fixture.IsActivated(listing));
    }

    [Fact]
    public async Task Get_WhileInitializeWrites_InitializeCompletesAndTheListingIsFoundAfterwards()
    {
        var (listing, setup) = Fresh();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fixture.Store.WriteGate = gate.Task;
        Task<ListingView> initialize;
        try
        {
            initialize = listing.Initialize(setup);
            await Eventually.WaitUntilAsync(() => fixture.IsActivated(listing), "the listing to activate");

            // The grain is reentrant: this read runs while the definition is being written, finds none stored
            // and asks to deactivate; the deactivation must wait for the write instead of cutting it short.
            Assert.Null(await listing.Get().WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.False(initialize.IsCompleted);
        }
        finally
        {
            fixture.Store.WriteGate = null;
            gate.SetResult();
        }

        Assert.Equal(setup.ListingId, (await initialize).ListingId);
        await Eventually.WaitUntilAsync(() => !fixture.IsActivated(listing), "the read's deactivation", TimeSpan.FromSeconds(5));
        Assert.Equal(7, (await listing.Get())!.Remaining);
        Assert.Equal(PurchaseError.None, (await listing.Purchase("u_buyer", 1, "k1")).Error);
    }

    private IListingGrain Unknown() => fixture.Grains.GetGrain<IListingGrain>($"l_{Guid.NewGuid():N}");

    private (IListingGrain Listing, ListingSetup Setup) Fresh()
    {
        var id = $"l_{Guid.NewGuid():N}";
        var setup = new ListingSetup(id, $"m_{Guid.NewGuid():N}", "u_seller", new NewListing("Lamp", null, 1500, 7, null),
            fixture.Clock.GetUtcNow().AddDays(-1), null);
        return (fixture.Grains.GetGrain<IListingGrain>(id), setup);
    }

    private async Task<(IListingGrain Listing, ListingSetup Setup)> NewListingAsync()
    {
        var (listing, setup) = Fresh();
        await listing.Initialize(setup);
        return (listing, setup);
    }

    private async Task AssertLeftNothingAsync(IListingGrain listing)
    {
        await fixture.AssertLeftNothingAsync(listing);
        Assert.Equal(0, await fixture.JournalLengthAsync(ListingGrain.JournalName, listing.GetPrimaryKeyString()));
    }
}

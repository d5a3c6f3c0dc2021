using FleaMarket.Grains.Listings;
using FleaMarket.TestKit;

namespace FleaMarket.Grains.Tests.Listings;

/// <summary>A listing id with no listing behind it leaves no activation and stores nothing, whatever is asked of it.</summary>
[Collection(GrainClusterFixture.Collection)]
public sealed class ListingGrainTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task Purchase_QueueOfPendingPurchasesFull_ReturnsBusyAtOnceAndSellsTheRestOnce()
    {
        var listingId = $"l_{Guid.NewGuid():N}";
        var listing = fixture.Grains.GetGrain<IListingGrain>(listingId);
        await listing.Initialize(new ListingSetup(listingId, $"m_{Guid.NewGuid():N}", "u_seller",
            new NewListing("Lamp", null, 100, 1000, null), fixture.Clock.GetUtcNow().AddMinutes(-1), null));
        var commit = new TaskCompletionSource();
        fixture.Journal.Appends = commit.Task;
        try
        {
            var extra = 7;
            var purchases = Enumerable.Range(0, GrainClusterFixture.MaxPendingPurchases + extra)
                .Select(i => listing.Purchase($"u_{i}", 1, $"k{i}")).ToList();

            // The ones past the bound are answered while the commit is still held.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (purchases.Count(p => p.IsCompletedSuccessfully && p.Result.Error == PurchaseError.Busy) < extra)
            {
                Assert.True(DateTime.UtcNow < deadline, "The purchases past the bound were not refused at once.");
                await Task.WhenAny(purchases.Where(p => !p.IsCompleted).Append(Task.Delay(50)));
            }

            Assert.All(purchases.Where(p => p.IsCompleted), p => Assert.Equal(PurchaseError.Busy, p.Result.Error));

            fixture.Journal.Appends = null;
            commit.SetResult();
            var results = await Task.WhenAll(purchases);

            Assert.Equal(extra, results.Count(r => r.Error == PurchaseError.Busy));
            Assert.Equal(GrainClusterFixture.MaxPendingPurchases, results.Count(r => r.Order is not null));
            Assert.Equal(1000 - GrainClusterFixture.MaxPendingPurchases, (await listing.Get())!.Remaining);
        }
        finally
        {
            fixture.Journal.Appends = null;
            commit.TrySetResult();
        }
    }

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

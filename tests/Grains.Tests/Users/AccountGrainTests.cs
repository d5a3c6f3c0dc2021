using FleaMarket.Grains.Listings;
using FleaMarket.Grains.Users;
using FleaMarket.TestKit;
using Orleans.Core.Internal;

namespace FleaMarket.Grains.Tests.Users;

/// <summary>A user id with nothing stored behind it leaves no activation and stores nothing on a read; accounts that exist keep working.</summary>
[Collection(GrainClusterFixture.Collection)]
public sealed class AccountGrainTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task GetProfile_UnknownId_ReturnsNullAndLeavesNothing()
    {
        var account = Unknown();

        Assert.Null(await account.GetProfile());

        await AssertLeftNothingAsync(account);
    }

    [Fact]
    public async Task GetMarkets_UnknownId_ReturnsNoneAndLeavesNothing()
    {
        var account = Unknown();

        Assert.Empty(await account.GetMarkets());

        await AssertLeftNothingAsync(account);
    }

    [Fact]
    public async Task GetOrders_UnknownId_ReturnsNoneAndLeavesNothing()
    {
        var account = Unknown();

        Assert.Empty(await account.GetOrders());

        await AssertLeftNothingAsync(account);
    }

    [Fact]
    public async Task Purchase_ExistingAccountAfterReads_KeepsItsActivationAndBuys()
    {
        var account = Unknown();
        var profile = new UserProfile(account.GetPrimaryKeyString(), "ada", "Ada");
        await account.Initialize(profile);

        Assert.Equal(profile, await account.GetProfile());
        Assert.Empty(await account.GetMarkets());
        Assert.True(fixture.IsActivated(account));

        var result = await Listing(await NewListingAsync()).Purchase(account.GetPrimaryKeyString(), 1, "k1");
        Assert.Equal(PurchaseError.None, result.Error);
        Assert.Equal(result.Order, Assert.Single(await account.GetOrders()));
    }

    [Fact]
    public async Task Purchase_RacingAReadOfAnAccountWithNothingStored_IsFoundAfterwards()
    {
        // Buyers without a profile exist in cluster tests. A read that finds nothing deactivates the account; the
        // purchase's tag is read by the next activation, whichever ran first.
        var listingId = await NewListingAsync();
        for (var i = 0; i < 20; i++)
        {
            var account = Unknown();
            var read = account.GetOrders();
            var purchase = Listing(listingId).Purchase(account.GetPrimaryKeyString(), 1, $"k{i}");

            await read;
            var result = await purchase;
            Assert.Equal(PurchaseError.None, result.Error);
            Assert.Equal(result.Order, Assert.Single(await account.GetOrders()));
        }
    }

    [Fact]
    public async Task GetOrderPage_OrdersOnSeveralListings_EveryListingFoundByItsTagNewestFirst()
    {
        var account = Unknown();
        var buyer = account.GetPrimaryKeyString();
        var orders = new List<Order>();
        for (var i = 0; i < 3; i++)
        {
            var listing = Listing(await NewListingAsync());
            orders.Add((await listing.Purchase(buyer, 1, "k1")).Order!);
            fixture.Clock.Advance(TimeSpan.FromSeconds(1));
            orders.Add((await listing.Purchase(buyer, 2, "k2")).Order!);
            fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(orders.AsEnumerable().Reverse(), await account.GetOrderPage(new OrderPage(null, 100)));
        Assert.Equal(orders.AsEnumerable().Reverse().Take(4), await account.GetOrderPage(new OrderPage(null, 4)));
        Assert.Equal(0, await fixture.JournalLengthAsync(AccountGrain.PurchaseListingsJournal, buyer));
    }

    [Fact]
    public async Task GetOrders_ListingRecordedInTheAccountsOwnJournalBeforeTags_IsStillFound()
    {
        // Data written by the previous version: the order is in the listing's journal without a tag, and the
        // listing is in the account's purchase-listings journal.
        var buyer = $"u_{Guid.NewGuid():N}";
        var listingId = await NewListingAsync();
        var order = new Order(OrderIds.New(listingId, fixture.Clock.GetUtcNow()), listingId, "m_old", buyer, 1, 1500, 1500, fixture.Clock.GetUtcNow());
        // The listing re-reads its journal on its next activation.
        await Listing(listingId).AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await Eventually.WaitUntilAsync(() => !fixture.IsActivated(Listing(listingId)), "the listing to deactivate", TimeSpan.FromSeconds(5));
        var journal = fixture.JournalStorage;
        await journal.AppendAsync(AccountGrain.PurchaseListingsJournal, buyer, 0, [new PurchaseListingRecorded(listingId)]);
        await journal.AppendAsync(ListingGrain.JournalName, listingId, 0, [new OrderRecorded(order, "k-old")]);
        var tagged = await NewListingAsync();
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var newer = (await Listing(tagged).Purchase(buyer, 1, "k-new")).Order!;

        var orders = await fixture.Grains.GetGrain<IAccountGrain>(buyer).GetOrders();

        Assert.Equal([newer.OrderId, order.OrderId], orders.Select(o => o.OrderId));
    }

    private IListingGrain Listing(string listingId) => fixture.Grains.GetGrain<IListingGrain>(listingId);

    private IAccountGrain Unknown() => fixture.Grains.GetGrain<IAccountGrain>($"u_{Guid.NewGuid():N}");

    private async Task<string> NewListingAsync()
    {
        var id = $"l_{Guid.NewGuid():N}";
        await fixture.Grains.GetGrain<IListingGrain>(id).Initialize(new ListingSetup(id, $"m_{Guid.NewGuid():N}", "u_seller",
            new NewListing("Lamp", null, 1500, 100, null), fixture.Clock.GetUtcNow().AddDays(-1), null));
        return id;
    }

    private async Task AssertLeftNothingAsync(IAccountGrain account)
    {
        await fixture.AssertLeftNothingAsync(account);
        Assert.Equal(0, await fixture.JournalLengthAsync(AccountGrain.PurchaseListingsJournal, account.GetPrimaryKeyString()));
    }
}

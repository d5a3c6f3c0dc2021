using FleaMarket.Grains.Users;

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

        var result = await account.Purchase(await NewListingAsync(), 1, "k1");
        Assert.Equal(PurchaseError.None, result.Error);
        Assert.Equal(result.Order, Assert.Single(await account.GetOrders()));
    }

    [Fact]
    public async Task Purchase_RacingAReadOfAnAccountWithNothingStored_IsRecordedAndFoundAfterwards()
    {
        // Buyers without a profile exist in cluster tests. Whichever runs first: a read that finds nothing
        // deactivates, and the purchase queued behind it is forwarded to the next activation.
        var listingId = await NewListingAsync();
        for (var i = 0; i < 20; i++)
        {
            var account = Unknown();
            var read = account.GetProfile();
            var purchase = account.Purchase(listingId, 1, $"k{i}");

            Assert.Null(await read);
            var result = await purchase;
            Assert.Equal(PurchaseError.None, result.Error);
            Assert.Equal(result.Order, Assert.Single(await account.GetOrders()));
        }
    }

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

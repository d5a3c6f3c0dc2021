using Orleans.Concurrency;

namespace FleaMarket.Grains;

/// <summary>A user by user id: profile, markets sold, and the buyer's side of every purchase.</summary>
[Alias("FleaMarket.IAccountGrain")]
public interface IAccountGrain : IGrainWithStringKey
{
    /// <summary>Creates the account once; repeated calls with the same profile are no-ops.</summary>
    [Alias("Initialize")]
    Task Initialize(UserProfile profile);

    /// <summary>The profile, or null if no such user.</summary>
    [ReadOnly, Alias("GetProfile")]
    Task<UserProfile?> GetProfile();

    /// <summary>Records a market this user sells in.</summary>
    [Alias("AddMarket")]
    Task AddMarket(string marketId);

    /// <summary>Markets this user sells in, oldest first.</summary>
    [ReadOnly, Alias("GetMarkets")]
    Task<string[]> GetMarkets();

    /// <summary>This buyer's orders across every listing, newest first.</summary>
    [ReadOnly, Alias("GetOrders")]
    Task<Order[]> GetOrders();

    /// <summary>One page of the buyer's orders, newest first.</summary>
    [ReadOnly, Alias("GetOrderPage")]
    Task<Order[]> GetOrderPage(OrderPage page);
}

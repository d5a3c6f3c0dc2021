using System.Collections.Concurrent;
using System.Diagnostics;
using FleaMarket.Grains;

namespace FleaMarket.Cluster.Tests.Churn;

/// <summary>
/// A continuous purchase load through the cluster client, as the API makes it (one account grain call per purchase):
/// each buyer buys one unit at a time from the listings in turn, every purchase under a key of its own, and retries
/// any failure with the same key until the purchase is answered (an order, or sold out). Nothing acknowledged is
/// ever forgotten, so afterwards the listings' journals must hold exactly <see cref="Acknowledged"/>.
/// </summary>
internal sealed class PurchaseLoad : IAsyncDisposable
{
    private static readonly TimeSpan s_giveUpAfter = TimeSpan.FromSeconds(60);
    private readonly IGrainFactory _grains;
    private readonly IReadOnlyList<string> _listings;
    private readonly ConcurrentQueue<(string Buyer, string Key, Order Order)> _acknowledged = new();
    private readonly ConcurrentDictionary<string, int> _failures = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _buyers;

    public PurchaseLoad(IGrainFactory grains, IReadOnlyList<string> listings, int buyers)
    {
        _grains = grains;
        _listings = listings;
        _buyers = Task.WhenAll(Enumerable.Range(0, buyers).Select(b => Task.Run(() => BuyAsync($"u_buyer{b}_{Guid.NewGuid():N}", b))));
    }

    public IReadOnlyCollection<(string Buyer, string Key, Order Order)> Acknowledged => _acknowledged;

    /// <summary>Failed attempts (retried) by exception type.</summary>
    public string Failures => string.Join(", ", _failures.Select(f => $"{f.Key} {f.Value}"));

    /// <summary>Acknowledged orders per listing so far.</summary>
    public IReadOnlyDictionary<string, int> CountsByListing() =>
        _acknowledged.ToArray().GroupBy(a => a.Order.ListingId).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Fails with the buyer's assertion if the load stopped on its own.</summary>
    public void AssertRunning() => Assert.False(_buyers.IsCompleted, $"the load stopped: {_buyers.Exception}");

    /// <summary>Stops starting purchases; the ones under way are answered first.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _buyers;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _buyers.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task BuyAsync(string buyer, int offset)
    {
        for (var n = 0; !_stop.IsCancellationRequested; n++)
        {
            var listing = _listings[(offset + n) % _listings.Count];
            var key = $"k{n}";
            var since = Stopwatch.StartNew();
            while (true)
            {
                Assert.True(since.Elapsed < s_giveUpAfter, $"{buyer}'s purchase {key} kept failing for {s_giveUpAfter} ({Failures})");
                try
                {
                    var result = await _grains.GetGrain<IListingGrain>(listing).Purchase(buyer, 1, key);
                    if (result.Order is { } order) _acknowledged.Enqueue((buyer, key, order));
                    else Assert.Equal(PurchaseError.SoldOut, result.Error);
                    break;
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    _failures.AddOrUpdate(e.GetType().Name, 1, (_, count) => count + 1);
                }

                // A short pause between attempts, so a buyer does not spin while a silo's failure is being detected.
                await Task.Delay(10);
            }
        }
    }
}

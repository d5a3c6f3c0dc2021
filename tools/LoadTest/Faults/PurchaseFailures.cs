using System.Collections.Concurrent;

namespace FleaMarket.LoadTest.Faults;

/// <summary>
/// One purchase answered 5xx (<paramref name="Status"/> set) or lost in transport (no status): who asked, for what,
/// when (seconds since the opening) and, for a 5xx, the problem code.
/// </summary>
internal sealed record PurchaseFailure(double AtSeconds, int? Status, string? Problem, string UserId, string SessionKey, string ListingId)
{
    public bool IsTransport => Status is null;
}

/// <summary>Every failed purchase of the firing, kept so a fault's victims can be named afterwards (<see cref="FaultAttribution"/>).</summary>
internal sealed class PurchaseFailures
{
    private readonly ConcurrentQueue<PurchaseFailure> _failures = new();

    public void Add(PurchaseFailure failure) => _failures.Enqueue(failure);

    public IReadOnlyList<PurchaseFailure> Snapshot() => [.. _failures];
}

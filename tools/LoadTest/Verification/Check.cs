namespace FleaMarket.LoadTest.Verification;

/// <summary>One verified property of the drop.</summary>
internal sealed record Check(string Name, bool Passed, string Detail);

/// <summary>The verification's figures and checks.</summary>
internal sealed record VerificationResult(
    long TotalStock,
    long? Demand,
    long ExpectedUnitsSold,
    long UnitsSold,
    long UnitsAcknowledged,
    int ServerOrders,
    int AcknowledgedOrders,
    int OrdersNotAcknowledged,
    int UnresolvedPurchases,
    long RemainingUnits,
    IReadOnlyList<Check> Checks)
{
    public bool Passed => Checks.All(c => c.Passed);
}

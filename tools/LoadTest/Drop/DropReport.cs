using FleaMarket.LoadTest.Faults;
using FleaMarket.LoadTest.Measurement;
using FleaMarket.LoadTest.Verification;

namespace FleaMarket.LoadTest.Drop;

/// <summary>Everything a rehearsal measured and verified; <c>--json</c> prints exactly this (camelCase).</summary>
internal sealed record DropReport(
    string BaseUrl, DropOptions Parameters, SetupFigures Setup, RunFigures Run, VerificationResult Verification, ChaosFigures? Chaos = null,
    CostFigures? Cost = null)
{
    public bool Passed => Verification.Passed;
}

/// <summary>How long setup took and what it created.</summary>
internal sealed record SetupFigures(double Seconds, string MarketId, DateTimeOffset OpensAt, int Listings, int Buyers, double WaitedForOpeningSeconds);

/// <summary>The firing's figures. Rates are per second of firing time; latencies are per request, in milliseconds.</summary>
internal sealed record RunFigures(
    double Seconds,
    string EndedBy,
    long Requests,
    double RequestsPerSecond,
    long Orders,
    long UnitsOrdered,
    double OrdersPerSecond,
    double? LastOrderAfterSeconds,
    double? OrdersPerSecondUntilLastOrder,
    long Retries,
    long UnexpectedResponses,
    int BuyersDone,
    LatencySummary LatencyMs,
    IReadOnlyDictionary<string, long> Statuses,
    IReadOnlyDictionary<string, long> Problems);

/// <summary>
/// What buyers lived through: the fault injected (if any), 5xx answers and transport errors to purchases, recovery
/// (the longest time a listing with stock left sold nothing) and, given a placement snapshot, who got the errors.
/// </summary>
internal sealed record ChaosFigures(FaultFigures? Fault, long ServerErrors, long TransportErrors, RecoveryFigures? Recovery, AttributionFigures? Attribution = null);

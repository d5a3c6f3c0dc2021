namespace FleaMarket.LoadTest.Faults;

/// <summary>Failed purchases of one group: answered 5xx, lost in transport, and how many buyers they were.</summary>
internal sealed record FailureCount(long ServerErrors, long TransportErrors, int Buyers)
{
    public long Total => ServerErrors + TransportErrors;

    public static FailureCount Of(IReadOnlyCollection<PurchaseFailure> failures) => new(
        failures.LongCount(f => !f.IsTransport), failures.LongCount(f => f.IsTransport), failures.Select(f => f.UserId).Distinct(StringComparer.Ordinal).Count());
}

/// <summary>Of the failures on the faulted silo, how many had each of the purchase's grains there (one failure may count thrice).</summary>
internal sealed record FaultedGrains(long Session, long Account, long Listing);

/// <summary>A failure and where each grain of its purchase lived (null: in no silo's list).</summary>
internal sealed record PlacedFailure(
    double AtSeconds, int? Status, string? Problem, string UserId, string ListingId, string? SessionSilo, string? AccountSilo, string? ListingSilo);

/// <summary>
/// Who got the 5xx and transport errors of a fault: buyers with the session, the account or the listing of the
/// purchase on the faulted silo, buyers with all three placed elsewhere (the fault should not have touched them), and
/// buyers with a grain in no silo's list (not active when the snapshot was taken: nothing can be said).
/// </summary>
internal sealed record AttributionFigures(
    string? FaultedSilo,
    int PlacedGrains,
    FailureCount OnFaultedSilo,
    FailureCount NothingOnFaultedSilo,
    FailureCount NotPlaced,
    FaultedGrains FaultedGrains,
    IReadOnlyList<PlacedFailure> NothingOnFaultedSiloSamples,
    IReadOnlyList<string> DuplicatePlacements,
    string? Error = null);

/// <summary>Splits failed purchases by where their grains lived when the fault came.</summary>
internal static class FaultAttribution
{
    // Orleans' grain type names of the three grains a purchase touches (the class name without "Grain", lower case).
    public const string SessionType = "session";
    public const string AccountType = "account";
    public const string ListingType = "listing";

    /// <summary>Samples of unexplained failures kept in the report: enough to see a pattern, small enough to read.</summary>
    public const int SampleLimit = 20;

    /// <summary>The prefix of the fault command's output line naming the silo it took down ("faulted silo-2").</summary>
    public const string FaultedLinePrefix = "faulted ";

    public static AttributionFigures Attribute(IReadOnlyList<PurchaseFailure> failures, PlacementSnapshot placement, string? faultedSilo)
    {
        var on = new List<PurchaseFailure>();
        var elsewhere = new List<PlacedFailure>();
        var elsewhereFailures = new List<PurchaseFailure>();
        var unplaced = new List<PurchaseFailure>();
        long session = 0, account = 0, listing = 0;
        foreach (var failure in failures.OrderBy(f => f.AtSeconds))
        {
            var placed = new PlacedFailure(failure.AtSeconds, failure.Status, failure.Problem, failure.UserId, failure.ListingId,
                placement.SiloOf(SessionType, failure.SessionKey), placement.SiloOf(AccountType, failure.UserId), placement.SiloOf(ListingType, failure.ListingId));
            bool Faulted(string? silo) => faultedSilo is not null && silo == faultedSilo;
            if (Faulted(placed.SessionSilo) || Faulted(placed.AccountSilo) || Faulted(placed.ListingSilo))
            {
                on.Add(failure);
                if (Faulted(placed.SessionSilo)) session++;
                if (Faulted(placed.AccountSilo)) account++;
                if (Faulted(placed.ListingSilo)) listing++;
            }
            else if (placed.SessionSilo is null || placed.AccountSilo is null || placed.ListingSilo is null)
            {
                unplaced.Add(failure);
            }
            else
            {
                elsewhereFailures.Add(failure);
                elsewhere.Add(placed);
            }
        }

        return new AttributionFigures(faultedSilo, placement.Count, FailureCount.Of(on), FailureCount.Of(elsewhereFailures), FailureCount.Of(unplaced),
            new FaultedGrains(session, account, listing), [.. elsewhere.Take(SampleLimit)], placement.Duplicates);
    }

    /// <summary>
    /// Reads the snapshot file and attributes; the faulted silo is <paramref name="faultedSilo"/> or else the fault
    /// command's "faulted NAME" line. A missing or unreadable file gives figures with only <see cref="AttributionFigures.Error"/>.
    /// </summary>
    public static AttributionFigures FromFile(IReadOnlyList<PurchaseFailure> failures, string placementFile, string? faultedSilo, string? faultOutput)
    {
        faultedSilo ??= FaultedSiloIn(faultOutput);
        PlacementSnapshot placement;
        try
        {
            using var reader = new StreamReader(placementFile);
            placement = PlacementSnapshot.Parse(reader);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            var all = FailureCount.Of(failures);
            var none = new FailureCount(0, 0, 0);
            return new AttributionFigures(faultedSilo, 0, none, none, all, new FaultedGrains(0, 0, 0), [], [], $"placement {placementFile}: {e.Message}");
        }

        return Attribute(failures, placement, faultedSilo);
    }

    /// <summary>The NAME of the last "faulted NAME" line in a fault command's output, or null.</summary>
    public static string? FaultedSiloIn(string? output) =>
        output?.Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.StartsWith(FaultedLinePrefix, StringComparison.Ordinal)) is { } line
            && line[FaultedLinePrefix.Length..].Trim() is { Length: > 0 } name
            ? name
            : null;
}

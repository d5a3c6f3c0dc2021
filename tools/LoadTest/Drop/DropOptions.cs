using System.Text.Json.Serialization;

namespace FleaMarket.LoadTest.Drop;

/// <summary>What one drop rehearsal does. Defaults are those of the <c>drop</c> command.</summary>
internal sealed record DropOptions
{
    /// <summary>The API to rehearse against; every request goes to this origin only. Default http://127.0.0.1:5000.</summary>
    public Uri BaseUrl { get; init; } = new("http://127.0.0.1:5000");

    /// <summary>Seconds from the end of setup to the market's opening. Default 5.</summary>
    public int OpensInSeconds { get; init; } = 5;

    /// <summary>Listings in the market. Default 1 (the hot listing); 1,000 is the spread drop.</summary>
    public int Listings { get; init; } = 1;

    /// <summary>Units of stock per listing. Default 1,000.</summary>
    public int Stock { get; init; } = 1000;

    /// <summary>Per-buyer limit of every listing; null for none. Default none.</summary>
    public int? MaxPerBuyer { get; init; }

    /// <summary>Units asked for by each purchase. Default 1.</summary>
    public int Quantity { get; init; } = 1;

    /// <summary>Buyers, each with its own user and session. Default 500.</summary>
    public int Buyers { get; init; } = 500;

    /// <summary>Purchases in flight at once. Default 64.</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>Most purchases started per second; 0 for no limit. Default 0.</summary>
    public int Rate { get; init; }

    /// <summary>Longest time purchases are fired, in seconds; the run ends earlier when every buyer is done. Default 20.</summary>
    public int DurationSeconds { get; init; } = 20;

    /// <summary>Requests in flight at once while creating users, sessions and listings, and while verifying. Default 16.</summary>
    public int SetupConcurrency { get; init; } = 16;

    /// <summary>Per-request timeout, in seconds. Default 30.</summary>
    public int RequestTimeoutSeconds { get; init; } = 30;

    /// <summary>Price of every listing, in cents. Default 500.</summary>
    public long PriceCents { get; init; } = 500;

    /// <summary>A shell command (bash -c) run this long after the opening while purchases go on: the fault of a chaos drop. Default none.</summary>
    public string? FaultCommand { get; init; }

    /// <summary>Seconds after the opening at which <see cref="FaultCommand"/> starts; negative starts it before the opening. Default 2.</summary>
    public double FaultAfterSeconds { get; init; } = 2;

    /// <summary>Longest the fault command may run before it is killed, in seconds. Default 120.</summary>
    public int FaultTimeoutSeconds { get; init; } = 120;

    /// <summary>
    /// A placement snapshot (<c>silo&lt;TAB&gt;grainType&lt;TAB&gt;key</c> lines, <c>deploy/netns/cluster.sh placement</c>),
    /// read once the fault command has ended (it may write the file just before injecting the fault): the report then
    /// splits 5xx and transport errors by whether the buyer's session, account or listing was on the faulted silo. Default none.
    /// </summary>
    public string? PlacementFile { get; init; }

    /// <summary>The silo the fault took down, for <see cref="PlacementFile"/>; default: the fault command's "faulted NAME" output line.</summary>
    public string? FaultedSilo { get; init; }

    /// <summary>
    /// A shell command (bash -c) run at the opening and when the firing ends, printing <c>name value</c> counters
    /// (CPU-seconds of the system's processes, database commits); the report gives their growth per 1,000 orders. Default none.
    /// </summary>
    public string? CostProbe { get; init; }

    /// <summary>After the firing, send every acknowledged purchase again with its key and expect the same order. Default false.</summary>
    public bool ReplayKeys { get; init; }

    /// <summary>Returns the first problem with these options, or null when they are usable.</summary>
    public string? Validate()
    {
        if (!BaseUrl.IsAbsoluteUri || BaseUrl.Scheme is not ("http" or "https")) return "--base-url must be an absolute http(s) URL.";
        if (OpensInSeconds is < 0 or > 3600) return "--opens-in must be 0 to 3600 seconds.";
        if (Listings is < 1 or > 100_000) return "--listings must be 1 to 100000.";
        if (Stock is < 1 or > 1_000_000) return "--stock must be 1 to 1000000.";
        if (Quantity is < 1 or > 1_000_000) return "--quantity must be 1 to 1000000.";
        if (MaxPerBuyer is { } max && max < Quantity) return "--max-per-buyer must be at least --quantity.";
        if (Buyers is < 1 or > 1_000_000) return "--buyers must be 1 to 1000000.";
        if (Concurrency is < 1 or > 10_000) return "--concurrency must be 1 to 10000.";
        if (Rate < 0) return "--rate must be 0 (unbounded) or more.";
        if (DurationSeconds is < 1 or > 3600) return "--duration must be 1 to 3600 seconds.";
        if (SetupConcurrency is < 1 or > 1000) return "--setup-concurrency must be 1 to 1000.";
        if (RequestTimeoutSeconds is < 1 or > 600) return "--request-timeout must be 1 to 600 seconds.";
        if (FaultAfterSeconds is < -3600 or > 3600) return "--fault-after must be -3600 to 3600 seconds (negative: before the opening).";
        if (FaultTimeoutSeconds is < 1 or > 3600) return "--fault-timeout must be 1 to 3600 seconds.";
        return null;
    }

    /// <summary>
    /// Units every buyer will try to buy of one listing: the largest multiple of <see cref="Quantity"/> within the
    /// limit, or null when there is no limit (buyers then keep buying until the listing is sold out).
    /// </summary>
    [JsonIgnore]
    public long? DemandPerBuyerPerListing => MaxPerBuyer is { } max ? max / Quantity * Quantity : null;

    /// <summary>
    /// Units that must be sold of each listing once every buyer is done: a purchase is refused when fewer units remain
    /// than it asks for, so up to Quantity − 1 units may stay unsold.
    /// </summary>
    [JsonIgnore]
    public long ExpectedUnitsPerListing
    {
        get
        {
            var sellable = Stock / Quantity * Quantity;
            return DemandPerBuyerPerListing is { } perBuyer ? Math.Min(sellable, perBuyer * Buyers) : sellable;
        }
    }
}

using System.Globalization;

namespace FleaMarket.Benchmarks.Feed;

/// <summary>Settings of the <c>feed</c> mode, read from <c>--name value</c> pairs.</summary>
internal sealed class FeedOptions
{
    /// <summary>The API (an embedded silo, an API node, or nginx in front of several). Default http://127.0.0.1:5000.</summary>
    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1:5000");

    /// <summary>Event-stream readers of the drop's market in the drops with readers; 0 for none. Default 2000.</summary>
    public int Readers { get; private set; } = 2000;

    /// <summary>People refreshing the listing (GET with If-None-Match) in the drops with pollers; 0 (default) for none.</summary>
    public int Pollers { get; private set; }

    /// <summary>How often each poller refreshes. Default 1 s.</summary>
    public TimeSpan PollInterval { get; private set; } = TimeSpan.FromSeconds(1);

    /// <summary>Units of the one listing each drop sells out, one per purchase. Default 2000.</summary>
    public int Stock { get; private set; } = 2000;

    /// <summary>Buyers, signed up once and used round-robin. Default 100.</summary>
    public int Buyers { get; private set; } = 100;

    /// <summary>Concurrent purchase loops. Default 32.</summary>
    public int Concurrency { get; private set; } = 32;

    /// <summary>
    /// Most purchases started per second across the loops; 0 = as fast as the loops go. At a fixed rate below what the
    /// drop reaches with the readers, the drops with and without them sell at the same pace, so the system's CPU per
    /// order compares the readers' cost alone (at full speed, fewer orders/s also means smaller batches). Default 0.
    /// </summary>
    public int Rate { get; private set; }

    /// <summary>
    /// Rounds of drops, each round one drop without readers or pollers, then one with the readers, one with the pollers
    /// and one with both (those that apply). Default 2.
    /// </summary>
    public int Runs { get; private set; } = 2;

    /// <summary>
    /// A command printing the system's counters (deploy/bench/system-cost.py), read when a drop's firing starts and
    /// ends: the report then gives the system's CPU-seconds per 1,000 orders, which the readers' and pollers' own work in
    /// this process does not swing. Default none.
    /// </summary>
    public string? CostProbe { get; private set; }

    public static FeedOptions Parse(IReadOnlyList<string> args)
    {
        var options = new FeedOptions();
        for (var i = 0; i < args.Count; i += 2)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--base-url":
                    options.BaseUrl = Uri.TryCreate(value, UriKind.Absolute, out var url) ? url : throw new ArgumentException($"--base-url must be an absolute URL (was '{value}').");
                    break;
                case "--readers": options.Readers = NotNegative(args[i], value); break;
                case "--pollers": options.Pollers = NotNegative(args[i], value); break;
                case "--poll-interval-ms": options.PollInterval = TimeSpan.FromMilliseconds(Positive(args[i], value)); break;
                case "--stock": options.Stock = Positive(args[i], value); break;
                case "--buyers": options.Buyers = Positive(args[i], value); break;
                case "--concurrency": options.Concurrency = Positive(args[i], value); break;
                case "--rate": options.Rate = NotNegative(args[i], value); break;
                case "--runs": options.Runs = Positive(args[i], value); break;
                case "--cost-probe": options.CostProbe = value; break;
                default: throw new ArgumentException($"Unknown option {args[i]}; expected --base-url, --readers, --pollers, --poll-interval-ms, --stock, --buyers, --concurrency, --rate, --runs or --cost-probe.");
            }
        }

        return options;
    }

    private static int NotNegative(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ArgumentException($"{name} must be 0 or a positive integer (was '{value}').");

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer (was '{value}').");
}

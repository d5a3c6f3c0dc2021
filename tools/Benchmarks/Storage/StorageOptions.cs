using System.Globalization;

namespace FleaMarket.Benchmarks.Storage;

/// <summary>Settings of the <c>storage</c> command, read from <c>--name value</c> pairs.</summary>
internal sealed class StorageOptions
{
    public static readonly string[] AllEngines = ["postgresql", "sqlite"];

    /// <summary>Measured seconds per scenario and run. Default 10.</summary>
    public int DurationSeconds { get; private set; } = 10;

    /// <summary>Unmeasured seconds before each measurement. Default 2.</summary>
    public int WarmupSeconds { get; private set; } = 2;

    /// <summary>Concurrent grains, each writing its own state / appending to its own journal in a closed loop. Default 64.</summary>
    public int Concurrency { get; private set; } = 64;

    /// <summary>Runs of every scenario, interleaved; the summary quotes medians. Default 3.</summary>
    public int Runs { get; private set; } = 3;

    /// <summary>Events per append in the batched journal scenario (a listing's group-commit flush). Default 16.</summary>
    public int Batch { get; private set; } = 16;

    /// <summary>Engines to measure. Default both.</summary>
    public IReadOnlyList<string> Engines { get; private set; } = AllEngines;

    public static StorageOptions Parse(IReadOnlyList<string> args)
    {
        var options = new StorageOptions();
        for (var i = 0; i < args.Count; i += 2)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--duration": options.DurationSeconds = Positive(args[i], value); break;
                case "--warmup": options.WarmupSeconds = Positive(args[i], value, allowZero: true); break;
                case "--concurrency": options.Concurrency = Positive(args[i], value); break;
                case "--runs": options.Runs = Positive(args[i], value); break;
                case "--batch": options.Batch = Positive(args[i], value); break;
                case "--engines":
                    var engines = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    options.Engines = engines.FirstOrDefault(e => !AllEngines.Contains(e)) is { } unknown
                        ? throw new ArgumentException($"Unknown engine '{unknown}'; expected some of {string.Join(",", AllEngines)}.")
                        : engines;
                    break;
                default: throw new ArgumentException($"Unknown option {args[i]}; expected --duration, --warmup, --concurrency, --runs, --batch or --engines.");
            }
        }

        return options;
    }

    private static int Positive(string name, string value, bool allowZero = false) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (n > 0 || (allowZero && n == 0))
            ? n
            : throw new ArgumentException($"{name} must be a {(allowZero ? "non-negative" : "positive")} integer (was '{value}').");
}

using System.Globalization;

namespace FleaMarket.Benchmarks.Load;

/// <summary>Settings of the <c>calls</c> load mode, read from <c>--name value</c> pairs.</summary>
internal sealed class LoadOptions
{
    public static readonly string[] AllScenarios = ["local", "cross-silo", "client"];

    /// <summary>A caller grain's run is one grain call, whose response timeout is an hour.</summary>
    public const int MaxDurationSeconds = 3000;

    /// <summary>Measured seconds per run, at most <see cref="MaxDurationSeconds"/>. Default 10.</summary>
    public int DurationSeconds { get; private set; } = 10;

    /// <summary>Unmeasured seconds before each run (JIT, tiering, connection buffers). Default 2.</summary>
    public int WarmupSeconds { get; private set; } = 2;

    /// <summary>Concurrent callers, each awaiting its previous call. Default 128.</summary>
    public int Concurrency { get; private set; } = 128;

    /// <summary>Runs per scenario; the summary quotes the median of each figure. Default 3.</summary>
    public int Runs { get; private set; } = 3;

    /// <summary>Which scenarios to run, in order. Default all of <see cref="AllScenarios"/>.</summary>
    public IReadOnlyList<string> Scenarios { get; private set; } = AllScenarios;

    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Count; i += 2)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--duration":
                    options.DurationSeconds = Positive(args[i], value);
                    if (options.DurationSeconds > MaxDurationSeconds) throw new ArgumentException($"--duration must be at most {MaxDurationSeconds} s (was {value}).");
                    break;
                case "--warmup":
                    options.WarmupSeconds = Positive(args[i], value, allowZero: true);
                    if (options.WarmupSeconds > MaxDurationSeconds) throw new ArgumentException($"--warmup must be at most {MaxDurationSeconds} s (was {value}).");
                    break;
                case "--concurrency": options.Concurrency = Positive(args[i], value); break;
                case "--runs": options.Runs = Positive(args[i], value); break;
                case "--scenarios": options.Scenarios = Known(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                default: throw new ArgumentException($"Unknown option {args[i]}; expected --duration, --warmup, --concurrency, --runs or --scenarios.");
            }
        }

        return options;
    }

    private static int Positive(string name, string value, bool allowZero = false) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (n > 0 || (allowZero && n == 0))
            ? n
            : throw new ArgumentException($"{name} must be a {(allowZero ? "non-negative" : "positive")} integer (was '{value}').");

    private static string[] Known(string[] names) =>
        names.FirstOrDefault(n => !AllScenarios.Contains(n)) is { } unknown
            ? throw new ArgumentException($"Unknown scenario '{unknown}'; expected some of {string.Join(",", AllScenarios)}.")
            : names;
}

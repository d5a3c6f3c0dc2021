using System.Diagnostics;
using System.Globalization;

namespace FleaMarket.LoadTest.Measurement;

/// <summary>
/// What the firing cost the system under test: counters read by a probe command at the opening and again when the
/// firing ends (CPU-seconds per process group, database commits...), their growth over the window, and that growth
/// per 1,000 acknowledged orders. The figures come from the deltas, so the probe may report any monotonic counter.
/// </summary>
internal sealed record CostFigures(string Probe, double WindowSeconds, long Orders,
    IReadOnlyDictionary<string, double> Deltas, IReadOnlyDictionary<string, double> PerThousandOrders);

/// <summary>
/// Runs the probe (<c>bash -c</c>) and reads its output: one counter per line, <c>name value</c> (e.g.
/// <c>cpu.silo 12.34</c>). The load tool's own CPU is the probe's business to leave out: it is what measures, not
/// what is measured.
/// </summary>
internal static class CostProbe
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    public static async Task<IReadOnlyDictionary<string, double>> ReadAsync(string command, CancellationToken ct)
    {
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo("bash", ["-c", command])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        process.Start();
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(s_timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The cost probe did not finish within {s_timeout.TotalSeconds:N0} s: {command}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The cost probe exited with {process.ExitCode}: {(await errors.ConfigureAwait(false)).Trim()}");
        }

        return Parse(await output.ConfigureAwait(false));
    }

    public static IReadOnlyDictionary<string, double> Parse(string output)
    {
        var counters = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw new FormatException($"A cost probe line must be 'name value': '{line}'.");
            }

            counters[parts[0]] = value;
        }

        return counters;
    }

    /// <summary>Growth of every counter present at both ends (a process group that appeared or vanished is left out).</summary>
    public static CostFigures Compare(string probe, IReadOnlyDictionary<string, double> before, IReadOnlyDictionary<string, double> after,
        double windowSeconds, long orders)
    {
        var deltas = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var perThousand = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, end) in after)
        {
            if (!before.TryGetValue(name, out var start)) continue;
            deltas[name] = Math.Round(end - start, 3);
            if (orders > 0) perThousand[name] = Math.Round((end - start) * 1000 / orders, 4);
        }

        return new CostFigures(probe, Math.Round(windowSeconds, 3), orders, deltas, perThousand);
    }
}

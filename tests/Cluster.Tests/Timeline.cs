using System.Diagnostics;
using Xunit.Abstractions;

namespace FleaMarket.Cluster.Tests;

/// <summary>Writes what a test did and when (seconds since it started) to the test output, for timings and failures.</summary>
internal sealed class Timeline(ITestOutputHelper output)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Mark(string what) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,6:F1} s: {what}");
}

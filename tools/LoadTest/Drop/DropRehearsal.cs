using System.Diagnostics;
using FleaMarket.LoadTest.Api;
using FleaMarket.LoadTest.Faults;
using FleaMarket.LoadTest.Firing;
using FleaMarket.LoadTest.Measurement;
using FleaMarket.LoadTest.Setup;
using FleaMarket.LoadTest.Verification;

namespace FleaMarket.LoadTest.Drop;

/// <summary>
/// A whole drop rehearsal: setup, wait for the opening, fire purchases, verify through the API. Usable as a
/// library (tests call it directly); the <c>drop</c> command only adds parsing and display.
/// </summary>
internal static class DropRehearsal
{
    /// <summary>Runs one rehearsal. Throws <see cref="ApiException"/> when setup or verification cannot talk to the API.</summary>
    public static async Task<DropReport> RunAsync(DropOptions options, DropProgress? progress = null, CancellationToken ct = default)
    {
        if (options.Validate() is { } problem) throw new ArgumentException(problem, nameof(options));
        progress ??= new DropProgress();
        var connections = Math.Max(options.Concurrency, options.SetupConcurrency) + 8;
        using var api = new ApiClient(options.BaseUrl, connections, TimeSpan.FromSeconds(options.RequestTimeoutSeconds));

        var world = await new DropSetup(api, options, progress).RunAsync(ct).ConfigureAwait(false);

        progress.Phase = "waiting for the opening";
        var wait = world.OpensAt - DateTimeOffset.UtcNow;
        // The fault's clock is the opening; it may start before it (a negative --fault-after) to prepare.
        var opening = Stopwatch.GetTimestamp() + (long)(Math.Max(wait.TotalSeconds, 0) * Stopwatch.Frequency);
        var fault = options.FaultCommand is { Length: > 0 } command
            ? new FaultInjection(command, options.FaultAfterSeconds, TimeSpan.FromSeconds(options.FaultTimeoutSeconds)).RunAsync(opening, ct)
            : null;
        await WarmUpAsync(api, options, world, ct).ConfigureAwait(false);
        // Read just before the opening: what the system spends waiting for it is idle time, not the drop's.
        var costBefore = options.CostProbe is { Length: > 0 } probe ? await CostProbe.ReadAsync(probe, ct).ConfigureAwait(false) : null;
        wait = world.OpensAt - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait, ct).ConfigureAwait(false);

        progress.Phase = "firing purchases";
        var counters = new OutcomeCounters(LatencyCapacity(options)) { StartTimestamp = Stopwatch.GetTimestamp() };
        progress.Counters = counters;
        var costFrom = Stopwatch.GetTimestamp();
        var firing = await new PurchaseFiring(api, options, world, counters, progress).RunAsync(ct).ConfigureAwait(false);
        var cost = costBefore is null ? null : CostProbe.Compare(options.CostProbe!, costBefore,
            await CostProbe.ReadAsync(options.CostProbe!, ct).ConfigureAwait(false), Stopwatch.GetElapsedTime(costFrom).TotalSeconds,
            Interlocked.Read(ref counters.Orders));

        // A fault that outlasts the firing (a silo paused for 30 s) ends, and heals, before anything is read back.
        FaultFigures? faultFigures = null;
        if (fault is not null)
        {
            progress.Phase = "waiting for the fault to end";
            faultFigures = await fault.ConfigureAwait(false);
        }

        progress.Phase = "verifying";
        var view = await ServerView.ReadAsync(api, options, world, ct).ConfigureAwait(false);
        var more = options.ReplayKeys ? new[] { await KeyReplay.RunAsync(api, options, firing, ct).ConfigureAwait(false) } : null;
        var verification = DropChecks.Evaluate(options, firing, Interlocked.Read(ref counters.Unexpected), view, more);
        progress.Phase = "done";
        // Read once the fault command has ended: it writes the snapshot just before it injects the fault.
        var attribution = options.PlacementFile is { Length: > 0 } placement
            ? FaultAttribution.FromFile(firing.Failures ?? [], placement, options.FaultedSilo, faultFigures?.Output)
            : null;
        var chaos = new ChaosFigures(
            faultFigures, Interlocked.Read(ref counters.ServerErrors), Interlocked.Read(ref counters.TransportErrors), firing.Recovery, attribution);

        var setup = new SetupFigures(Seconds(world.SetupTime), world.MarketId, world.OpensAt, world.ListingIds.Count, world.Buyers.Count,
            Seconds(wait > TimeSpan.Zero ? wait : TimeSpan.Zero));
        return new DropReport(options.BaseUrl.ToString(), options, setup, Figures(firing, counters, progress), verification, chaos, cost);
    }

    private static RunFigures Figures(FiringResult firing, OutcomeCounters counters, DropProgress progress)
    {
        var seconds = Math.Max(firing.Elapsed.TotalSeconds, 1e-6);
        var orders = Interlocked.Read(ref counters.Orders);
        var requests = Interlocked.Read(ref counters.Requests);
        double? lastOrder = firing.LastOrderAfter is { } last ? Seconds(last) : null;
        return new RunFigures(
            Seconds(firing.Elapsed), firing.EndedBy, requests, Math.Round(requests / seconds, 1), orders, Interlocked.Read(ref counters.Units),
            Math.Round(orders / seconds, 1), lastOrder, lastOrder > 0 ? Math.Round(orders / lastOrder.Value, 1) : null,
            Interlocked.Read(ref counters.Retries), Interlocked.Read(ref counters.Unexpected), Volatile.Read(ref progress.BuyersDone),
            counters.Latency.Summarize(), counters.StatusCounts, counters.ProblemCounts);
    }

    /// <summary>
    /// Opens the connection pool before the opening, as buyers' browsers would have their connections open while
    /// they wait; otherwise the first purchases would also measure TCP connects. Skipped when there is no time.
    /// </summary>
    private static async Task WarmUpAsync(ApiClient api, DropOptions options, DropWorld world, CancellationToken ct)
    {
        if (world.OpensAt - DateTimeOffset.UtcNow < TimeSpan.FromSeconds(1)) return;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(world.OpensAt - DateTimeOffset.UtcNow - TimeSpan.FromMilliseconds(200));
        var warmers = Enumerable.Range(0, Math.Min(options.Concurrency, world.Buyers.Count)).Select(async i =>
        {
            try
            {
                await api.GetAsync<ListingBody>($"/api/listings/{world.ListingIds[i % world.ListingIds.Count]}", null, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
            {
                // Warming is best effort; the firing reports real failures.
            }
        });
        await Task.WhenAll(warmers).ConfigureAwait(false);
    }

    /// <summary>Room for every request of the run: at most rate × duration when paced, else a generous 100,000/s.</summary>
    private static int LatencyCapacity(DropOptions options)
    {
        var perSecond = options.Rate > 0 ? options.Rate * 1.05 + 1000 : 100_000;
        return (int)Math.Clamp(perSecond * options.DurationSeconds, 10_000, 16_000_000);
    }

    private static double Seconds(TimeSpan time) => Math.Round(time.TotalSeconds, 3);
}

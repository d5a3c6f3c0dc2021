using System.CommandLine;
using FleaMarket.LoadTest.Api;
using FleaMarket.LoadTest.Drop;
using FleaMarket.LoadTest.Reporting;

namespace FleaMarket.LoadTest.Cli;

/// <summary>The <c>drop</c> command: options in, one rehearsal, a report and an exit code out.</summary>
internal static class DropCommand
{
    private static readonly DropOptions Defaults = new();

    public static Command Create()
    {
        var baseUrl = new Option<Uri>("--base-url")
        {
            Description = "The API's base URL; every request goes there and nowhere else.",
            DefaultValueFactory = _ => Defaults.BaseUrl,
            CustomParser = ParseUrl,
        };
        var opensIn = Int("--opens-in", "Seconds from the end of setup to the market's opening.", Defaults.OpensInSeconds);
        var listings = Int("--listings", "Listings in the market (1 = hot listing).", Defaults.Listings);
        var spread = new Option<bool>("--spread") { Description = "The spread drop: 1,000 listings unless --listings is given." };
        var stock = Int("--stock", "Units of stock per listing.", Defaults.Stock);
        var maxPerBuyer = new Option<int?>("--max-per-buyer") { Description = "Per-buyer limit of every listing (default: none)." };
        var quantity = Int("--quantity", "Units asked for by each purchase.", Defaults.Quantity);
        var buyers = Int("--buyers", "Buyers, each with its own user and session.", Defaults.Buyers);
        var concurrency = Int("--concurrency", "Purchases in flight at once.", Defaults.Concurrency);
        var rate = Int("--rate", "Most purchases started per second; 0 = unbounded.", Defaults.Rate);
        var duration = Int("--duration", "Longest firing time in seconds; ends earlier when every buyer is done.", Defaults.DurationSeconds);
        var setupConcurrency = Int("--setup-concurrency", "Requests in flight during setup and verification.", Defaults.SetupConcurrency);
        var timeout = Int("--request-timeout", "Per-request timeout in seconds.", Defaults.RequestTimeoutSeconds);
        var json = new Option<bool>("--json") { Description = "Print one JSON document (figures and checks) instead of tables." };
        var faultCommand = new Option<string?>("--fault-command") { Description = "A shell command run while purchases go on (a chaos drop's fault); verification waits for it." };
        var faultAfter = new Option<double>("--fault-after")
        {
            Description = "Seconds after the opening at which --fault-command starts.",
            DefaultValueFactory = _ => Defaults.FaultAfterSeconds,
        };
        var faultTimeout = Int("--fault-timeout", "Seconds after which --fault-command is killed.", Defaults.FaultTimeoutSeconds);
        var costProbe = new Option<string?>("--cost-probe") { Description = "A shell command printing 'name value' counters (CPU-seconds, commits), run at the opening and when the firing ends; reported per 1,000 orders." };
        var placement = new Option<string?>("--placement") { Description = "A placement snapshot file (silo, grain type, key per line), read after the fault: 5xx and transport errors split by whether the buyer's grains were on the faulted silo." };
        var faultedSilo = new Option<string?>("--faulted-silo") { Description = "The silo the fault took down (default: the fault command's 'faulted NAME' output line)." };
        var replayKeys = new Option<bool>("--replay-keys") { Description = "After the firing, send every acknowledged purchase again with its key and expect the same order." };

        var command = new Command("drop", "Creates a seller, a market opening soon, listings and buyers; fires purchases at the opening; verifies the result.")
        {
            baseUrl, opensIn, listings, spread, stock, maxPerBuyer, quantity, buyers, concurrency, rate, duration, setupConcurrency, timeout, json,
            faultCommand, faultAfter, faultTimeout, replayKeys, costProbe, placement, faultedSilo,
        };
        command.SetAction(async (result, ct) =>
        {
            var options = new DropOptions
            {
                BaseUrl = result.GetRequiredValue(baseUrl),
                OpensInSeconds = result.GetValue(opensIn),
                Listings = result.GetValue(spread) && result.GetResult(listings) is null or { Implicit: true } ? 1000 : result.GetValue(listings),
                Stock = result.GetValue(stock),
                MaxPerBuyer = result.GetValue(maxPerBuyer),
                Quantity = result.GetValue(quantity),
                Buyers = result.GetValue(buyers),
                Concurrency = result.GetValue(concurrency),
                Rate = result.GetValue(rate),
                DurationSeconds = result.GetValue(duration),
                SetupConcurrency = result.GetValue(setupConcurrency),
                RequestTimeoutSeconds = result.GetValue(timeout),
                FaultCommand = result.GetValue(faultCommand),
                FaultAfterSeconds = result.GetValue(faultAfter),
                FaultTimeoutSeconds = result.GetValue(faultTimeout),
                ReplayKeys = result.GetValue(replayKeys),
                CostProbe = result.GetValue(costProbe),
                PlacementFile = result.GetValue(placement),
                FaultedSilo = result.GetValue(faultedSilo),
            };
            return await RunAsync(options, result.GetValue(json), ct).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(DropOptions options, bool json, CancellationToken ct)
    {
        if (options.Validate() is { } problem) return await FailAsync(json, problem).ConfigureAwait(false);
        var progress = new DropProgress();
        try
        {
            var run = DropRehearsal.RunAsync(options, progress, ct);
            var report = json ? await run.ConfigureAwait(false) : await LiveProgressView.ShowAsync(run, progress, options).ConfigureAwait(false);
            if (json) await JsonReport.WriteAsync(Console.Out, report).ConfigureAwait(false);
            else ConsoleReport.Write(report);
            return report.Passed ? ExitCodes.Passed : ExitCodes.CheckFailed;
        }
        catch (ApiException e)
        {
            return await FailAsync(json, e.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return await FailAsync(json, "Cancelled.").ConfigureAwait(false);
        }
    }

    private static async Task<int> FailAsync(bool json, string message)
    {
        await Console.Error.WriteLineAsync(message).ConfigureAwait(false);
        if (json) await JsonReport.WriteErrorAsync(Console.Out, message).ConfigureAwait(false);
        return ExitCodes.Usage;
    }

    private static Uri ParseUrl(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https") return url;
        result.AddError($"--base-url '{text}' is not an absolute http(s) URL.");
        return Defaults.BaseUrl;
    }

    private static Option<int> Int(string name, string description, int defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue };
}

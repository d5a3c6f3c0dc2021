using System.Diagnostics;
using System.Globalization;
using FleaMarket.LoadTest.Drop;
using Spectre.Console;

namespace FleaMarket.LoadTest.Reporting;

/// <summary>A live table of the running rehearsal, redrawn four times a second until the run finishes.</summary>
internal static class LiveProgressView
{
    public static async Task<DropReport> ShowAsync(Task<DropReport> run, DropProgress progress, DropOptions options)
    {
        await AnsiConsole.Live(Render(progress, options)).AutoClear(false).StartAsync(async context =>
        {
            while (!run.IsCompleted)
            {
                context.UpdateTarget(Render(progress, options));
                await Task.WhenAny(run, Task.Delay(250)).ConfigureAwait(false);
            }

            context.UpdateTarget(Render(progress, options));
        }).ConfigureAwait(false);
        return await run.ConfigureAwait(false);
    }

    private static Table Render(DropProgress progress, DropOptions options)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Drop rehearsal[/]").AddColumn("").AddColumn("");
        table.HideHeaders();
        table.AddRow("Target", Markup.Escape(options.BaseUrl.ToString()));
        table.AddRow("Phase", $"[yellow]{Markup.Escape(progress.Phase)}[/]");
        table.AddRow("Buyers ready", $"{Volatile.Read(ref progress.BuyersReady):N0} / {options.Buyers:N0}");
        table.AddRow("Listings ready", $"{Volatile.Read(ref progress.ListingsReady):N0} / {options.Listings:N0}");
        if (progress.Counters is { } counters)
        {
            var end = Interlocked.Read(ref counters.EndTimestamp);
            var seconds = Math.Max(Stopwatch.GetElapsedTime(counters.StartTimestamp, end == 0 ? Stopwatch.GetTimestamp() : end).TotalSeconds, 1e-3);
            var requests = Interlocked.Read(ref counters.Requests);
            var orders = Interlocked.Read(ref counters.Orders);
            table.AddRow("Firing for", $"{seconds:N1} s of at most {options.DurationSeconds} s");
            table.AddRow("Requests", $"{requests:N0} ({requests / seconds:N0}/s)");
            table.AddRow("Orders", $"[green]{orders:N0}[/] ({orders / seconds:N0}/s), {Interlocked.Read(ref counters.Units):N0} units");
            table.AddRow("Retries (503, 429, not-open)", Interlocked.Read(ref counters.Retries).ToString("N0", CultureInfo.InvariantCulture));
            table.AddRow("Unexpected responses", Interlocked.Read(ref counters.Unexpected).ToString("N0", CultureInfo.InvariantCulture));
            table.AddRow("Buyers done", $"{Volatile.Read(ref progress.BuyersDone):N0} / {options.Buyers:N0}");
            table.AddRow("Statuses", Markup.Escape(string.Join("  ", counters.StatusCounts.Select(p => $"{p.Key}: {p.Value:N0}"))));
        }

        return table;
    }
}

using System.Globalization;
using FleaMarket.LoadTest.Drop;
using FleaMarket.LoadTest.Faults;
using Spectre.Console;

namespace FleaMarket.LoadTest.Reporting;

/// <summary>The human-readable report: throughput, latency, outcomes and checks as tables.</summary>
internal static class ConsoleReport
{
    public static void Write(DropReport report)
    {
        var run = report.Run;
        var figures = new Table().Border(TableBorder.Rounded).Title("[bold]Results[/]").AddColumn("Figure").AddColumn(new TableColumn("Value").RightAligned());
        figures.AddRow("Setup", $"{report.Setup.Seconds:N1} s ({report.Setup.Buyers:N0} buyers, {report.Setup.Listings:N0} listings)");
        figures.AddRow("Firing", $"{run.Seconds:N2} s, ended by {run.EndedBy}");
        figures.AddRow("Requests", $"{run.Requests:N0} ({run.RequestsPerSecond:N0}/s)");
        figures.AddRow("Successful orders", $"{run.Orders:N0} ({run.OrdersPerSecond:N0}/s)");
        if (run.LastOrderAfterSeconds is { } last) figures.AddRow("Last order after", $"{last:N3} s ({run.OrdersPerSecondUntilLastOrder:N0} orders/s until then)");
        figures.AddRow("Latency p50 / p90 / p99 / max", $"{run.LatencyMs.P50:N1} / {run.LatencyMs.P90:N1} / {run.LatencyMs.P99:N1} / {run.LatencyMs.Max:N1} ms");
        figures.AddRow("Retries", run.Retries.ToString("N0", CultureInfo.InvariantCulture));
        figures.AddRow("Units sold / expected", $"{report.Verification.UnitsSold:N0} / {report.Verification.ExpectedUnitsSold:N0}");
        if (report.Chaos is { } chaos)
        {
            figures.AddRow("5xx / transport errors", $"{chaos.ServerErrors:N0} / {chaos.TransportErrors:N0}");
            if (chaos.Fault is { } fault)
            {
                figures.AddRow("Fault", Markup.Escape($"{fault.Command} (from {fault.StartedAfterSeconds:N1} s to {fault.EndedAfterSeconds:N1} s, exit {fault.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"})"));
            }

            if (chaos.Recovery is { LongestGaps: [var gap, ..] } recovery)
            {
                figures.AddRow("Recovery (longest gap)", $"{recovery.LongestGapSeconds:N2} s ({Markup.Escape(gap.ListingId)}, {gap.FromSeconds:N1}–{gap.ToSeconds:N1} s)");
            }

            if (chaos.Attribution is { } who)
            {
                // Each group as "5xx + transport (buyers)": the second is the one a silo fault must leave at zero.
                static string Group(FailureCount c) => $"{c.ServerErrors:N0} + {c.TransportErrors:N0} ({c.Buyers:N0} buyers)";
                figures.AddRow(Markup.Escape($"Errors: grain on {who.FaultedSilo ?? "no faulted silo"} / nothing there / not placed"),
                    Markup.Escape(who.Error ?? $"{Group(who.OnFaultedSilo)} / {Group(who.NothingOnFaultedSilo)} / {Group(who.NotPlaced)}"));
            }
        }
        if (report.Cost is { } cost)
        {
            foreach (var (name, perThousand) in cost.PerThousandOrders)
            {
                figures.AddRow(Markup.Escape($"{name} per 1,000 orders"), $"{perThousand:N3} ({cost.Deltas[name]:N2} in {cost.WindowSeconds:N1} s)");
            }
        }

        AnsiConsole.Write(figures);

        var outcomes = new Table().Border(TableBorder.Rounded).Title("[bold]Responses[/]").AddColumn("Status or problem").AddColumn(new TableColumn("Count").RightAligned());
        foreach (var (status, count) in run.Statuses) outcomes.AddRow($"HTTP {Markup.Escape(status)}", count.ToString("N0", CultureInfo.InvariantCulture));
        foreach (var (problem, count) in run.Problems) outcomes.AddRow(Markup.Escape(problem), count.ToString("N0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(outcomes);

        var checks = new Table().Border(TableBorder.Rounded).Title("[bold]Checks[/]").AddColumn("").AddColumn("Check").AddColumn("Detail");
        foreach (var check in report.Verification.Checks)
        {
            checks.AddRow(check.Passed ? "[green]pass[/]" : "[red]FAIL[/]", Markup.Escape(check.Name), Markup.Escape(check.Detail));
        }

        AnsiConsole.Write(checks);
        AnsiConsole.MarkupLine(report.Passed ? "[green bold]Every check passed.[/]" : "[red bold]A check failed.[/]");
    }
}

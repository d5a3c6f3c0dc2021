using FleaMarket.LoadTest.Drop;

namespace FleaMarket.LoadTest.Tests.Drop;

/// <summary>What every passing rehearsal must show, whichever service it ran against.</summary>
internal static class DropAssertions
{
    public static void AssertPassedAndSane(DropReport report, long expectedUnits, string serverOutput)
    {
        var failed = report.Verification.Checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Detail}").ToList();
        Assert.True(report.Passed, $"Failed checks:\n{string.Join('\n', failed)}\nServer output:\n{serverOutput}");
        Assert.Equal("all-buyers-done", report.Run.EndedBy);
        Assert.Equal(expectedUnits, report.Verification.ExpectedUnitsSold);
        Assert.Equal(expectedUnits, report.Verification.UnitsSold);
        Assert.Equal(expectedUnits, report.Run.UnitsOrdered);
        Assert.Equal(report.Run.Orders, report.Verification.AcknowledgedOrders);
        Assert.Equal(report.Verification.TotalStock - expectedUnits, report.Verification.RemainingUnits);

        var run = report.Run;
        Assert.True(run.Requests >= run.Orders);
        Assert.Equal(run.Requests, run.Statuses.Values.Sum());
        Assert.Equal(run.Requests, run.LatencyMs.Samples);
        Assert.True(run.RequestsPerSecond > 0 && run.OrdersPerSecond > 0);
        Assert.True(run.LatencyMs.Min > 0);
        Assert.True(run.LatencyMs.P50 <= run.LatencyMs.P90 && run.LatencyMs.P90 <= run.LatencyMs.P99 && run.LatencyMs.P99 <= run.LatencyMs.Max);
        Assert.True(run.LatencyMs.Max < 30_000, "No request may take longer than the request timeout.");
    }
}

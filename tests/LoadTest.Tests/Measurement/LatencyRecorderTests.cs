using FleaMarket.LoadTest.Measurement;

namespace FleaMarket.LoadTest.Tests.Measurement;

public sealed class LatencyRecorderTests
{
    [Fact]
    public void Summarize_OneToHundredMilliseconds_NearestRankPercentiles()
    {
        var recorder = new LatencyRecorder(1000);
        foreach (var ms in Enumerable.Range(1, 100).Reverse()) recorder.Record(TimeSpan.FromMilliseconds(ms));

        var summary = recorder.Summarize();

        Assert.Equal((50, 90, 99, 100, 1, 50.5), (summary.P50, summary.P90, summary.P99, summary.Max, summary.Min, summary.Mean));
        Assert.Equal((100, 0), (summary.Samples, summary.SamplesNotStored));
    }

    [Fact]
    public void Record_BeyondCapacity_CountsWhatItCannotStore()
    {
        var recorder = new LatencyRecorder(10);
        for (var i = 0; i < 15; i++) recorder.Record(TimeSpan.FromMilliseconds(2));

        var summary = recorder.Summarize();

        Assert.Equal((10, 5, 2.0), (summary.Samples, summary.SamplesNotStored, summary.P99));
    }

    [Fact]
    public void Summarize_Nothing_Zeroes()
    {
        Assert.Equal(new LatencySummary(0, 0, 0, 0, 0, 0, 0, 0), new LatencyRecorder(10).Summarize());
    }
}

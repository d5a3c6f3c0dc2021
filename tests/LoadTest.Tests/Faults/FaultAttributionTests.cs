using FleaMarket.LoadTest.Faults;

namespace FleaMarket.LoadTest.Tests.Faults;

public sealed class FaultAttributionTests
{
    // silo-2 is faulted. u1's session, u2's account, l2 live there; everything else on silo-1 or silo-3.
    private const string Snapshot = """
        silo-1	session	s1
        silo-1	account	u1
        silo-3	session	s2
        silo-2	account	u2
        silo-2	session	s3
        silo-3	account	u3
        silo-1	session	s4
        silo-3	account	u4
        silo-1	listing	l1
        silo-2	listing	l2

        """;

    private static PlacementSnapshot Placement(string text = Snapshot) => PlacementSnapshot.Parse(new StringReader(text));

    private static PurchaseFailure Failure(string user, string session, string listing, int? status = 503, double at = 2.5) =>
        new(at, status, status is null ? null : "unavailable", user, session, listing);

    [Fact]
    public void Attribute_AnyGrainOnFaultedSilo_CountsOnFaultedSiloPerGrain()
    {
        var failures = new[]
        {
            Failure("u2", "s2", "l1"), // account there
            Failure("u3", "s3", "l1", status: null), // session there, a transport error
            Failure("u4", "s4", "l2"), // listing there
            Failure("u2", "s3", "l2", status: 500), // all three
        };

        var figures = FaultAttribution.Attribute(failures, Placement(), "silo-2");

        Assert.Equal(new FailureCount(3, 1, 3), figures.OnFaultedSilo);
        Assert.Equal(new FaultedGrains(Session: 2, Account: 2, Listing: 2), figures.FaultedGrains);
        Assert.Equal(0, figures.NothingOnFaultedSilo.Total);
        Assert.Equal(0, figures.NotPlaced.Total);
        Assert.Empty(figures.NothingOnFaultedSiloSamples);
    }

    [Fact]
    public void Attribute_AllGrainsElsewhere_CountsNothingOnFaultedSiloWithSamplesInTimeOrder()
    {
        var failures = new[] { Failure("u4", "s4", "l1", at: 9), Failure("u1", "s1", "l1", status: null, at: 3), Failure("u1", "s1", "l1", at: 4) };

        var figures = FaultAttribution.Attribute(failures, Placement(), "silo-2");

        Assert.Equal(new FailureCount(2, 1, 2), figures.NothingOnFaultedSilo);
        Assert.Equal(0, figures.OnFaultedSilo.Total);
        Assert.Equal([3.0, 4.0, 9.0], figures.NothingOnFaultedSiloSamples.Select(s => s.AtSeconds));
        var first = figures.NothingOnFaultedSiloSamples[0];
        Assert.Equal(("silo-1", "silo-1", "silo-1", null), (first.SessionSilo, first.AccountSilo, first.ListingSilo, first.Status));
    }

    [Fact]
    public void Attribute_GrainInNoSilosList_CountsNotPlacedUnlessAnotherIsOnFaultedSilo()
    {
        var failures = new[] { Failure("u-new", "s1", "l1"), Failure("u1", "s-new", "l1"), Failure("u-new", "s3", "l1") };

        var figures = FaultAttribution.Attribute(failures, Placement(), "silo-2");

        Assert.Equal(new FailureCount(2, 0, 2), figures.NotPlaced);
        Assert.Equal(new FailureCount(1, 0, 1), figures.OnFaultedSilo);
        Assert.Equal(0, figures.NothingOnFaultedSilo.Total);
    }

    [Fact]
    public void Attribute_NoFaultedSilo_EveryPlacedFailureIsElsewhere()
    {
        var figures = FaultAttribution.Attribute([Failure("u2", "s3", "l2")], Placement(), faultedSilo: null);

        Assert.Equal(new FailureCount(1, 0, 1), figures.NothingOnFaultedSilo);
        Assert.Equal(0, figures.OnFaultedSilo.Total);
    }

    [Fact]
    public void Attribute_ManyUnexplained_KeepsAtMostSampleLimit()
    {
        var failures = Enumerable.Range(0, 50).Select(i => Failure("u1", "s1", "l1", at: i)).ToArray();

        var figures = FaultAttribution.Attribute(failures, Placement(), "silo-2");

        Assert.Equal(50, figures.NothingOnFaultedSilo.Total);
        Assert.Equal(FaultAttribution.SampleLimit, figures.NothingOnFaultedSiloSamples.Count);
    }

    [Fact]
    public void Parse_GrainOnTwoSilos_KeepsTheFirstAndNamesIt()
    {
        var placement = Placement("silo-1\tlisting\tl1\nsilo-2\tlisting\tl1\nsilo-1\tlisting\tl1\n");

        Assert.Equal((1, "silo-1"), (placement.Count, placement.SiloOf("listing", "l1")));
        Assert.Equal(["listing/l1"], placement.Duplicates);
    }

    [Theory]
    [InlineData("silo-1\tlisting\n")]
    [InlineData("silo-1\tlisting\tl1\textra\n")]
    [InlineData("\tlisting\tl1\n")]
    public void Parse_MalformedLine_ThrowsNamingTheLine(string text)
    {
        var error = Assert.Throws<FormatException>(() => Placement(text));

        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("holder silo-2\nplacement 412 grains at -1.0\nfaulted silo-2\nfault-start 2.01\n", "silo-2")]
    [InlineData("faulted silo-1\r\nfaulted silo-3\r\n", "silo-3")]
    [InlineData("holder silo-2\nfault-start 2.0\n", null)]
    [InlineData("faulted \n", null)]
    [InlineData(null, null)]
    public void FaultedSiloIn_FaultOutput_NamesTheLastFaultedLine(string? output, string? expected)
    {
        Assert.Equal(expected, FaultAttribution.FaultedSiloIn(output));
    }

    [Fact]
    public void FromFile_FaultedSiloFromOutput_Attributes()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, Snapshot);

            var figures = FaultAttribution.FromFile([Failure("u2", "s2", "l1")], file, faultedSilo: null, "holder silo-2\nfaulted silo-2\n");

            Assert.Equal(("silo-2", 10, 1L, (string?)null), (figures.FaultedSilo, figures.PlacedGrains, figures.OnFaultedSilo.Total, figures.Error));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void FromFile_MissingFile_ReportsTheErrorAndEveryFailureAsNotPlaced()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-placement-{Guid.NewGuid():N}.tsv");

        var figures = FaultAttribution.FromFile([Failure("u1", "s1", "l1"), Failure("u2", "s2", "l1", status: null)], missing, "silo-2", null);

        Assert.Equal(new FailureCount(1, 1, 2), figures.NotPlaced);
        Assert.Equal(0, figures.NothingOnFaultedSilo.Total);
        Assert.Contains(missing, figures.Error, StringComparison.Ordinal);
    }
}

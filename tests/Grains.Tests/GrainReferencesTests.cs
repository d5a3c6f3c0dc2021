using Orleans.Runtime;

namespace FleaMarket.Grains.Tests;

[Collection(GrainClusterFixture.Collection)]
public sealed class GrainReferencesTests(GrainClusterFixture fixture)
{
    [Fact]
    public void Reference_FirstAndLaterCalls_SameReferenceAsGetGrain()
    {
        var grains = fixture.Grains;
        foreach (var key in new[] { "l_first", "l_second", "l_third" })
        {
            var expected = (GrainReference)grains.GetGrain<IListingGrain>(key);
            var actual = (GrainReference)grains.Reference<IListingGrain>(key);

            Assert.Equal((expected.GrainId, expected.InterfaceType), (actual.GrainId, actual.InterfaceType));
        }
    }

    [Fact]
    public async Task Reference_OfEachInterface_CallsThatGrain()
    {
        var grains = fixture.Grains;
        var market = $"m_{Guid.NewGuid():N}";
        for (var i = 0; i < 2; i++)
        {
            Assert.Null(await grains.Reference<IMarketGrain>(market).Get());
            Assert.Null(await grains.Reference<IListingGrain>($"l_{Guid.NewGuid():N}").Get());
            Assert.Null(await grains.Reference<IAccountGrain>($"u_{Guid.NewGuid():N}").GetProfile());
        }
    }
}

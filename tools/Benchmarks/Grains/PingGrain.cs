using Orleans.Placement;

namespace FleaMarket.Benchmarks.Grains;

/// <summary>The smallest useful grain call: one small value in, one out, so the runtime's own cost dominates.</summary>
public interface IPingGrain : IGrainWithStringKey
{
    Task<PingValue> Ping(PingValue value);

    /// <summary>The silo this activation lives on, so the benchmark can check it measures the path it claims.</summary>
    Task<SiloAddress> Where();
}

/// <summary>
/// The ping's argument and result. Immutable, so a call inside one silo passes it without a copy (as an int would be),
/// and a call across silos goes through its generated codec.
/// </summary>
[GenerateSerializer, Immutable, Alias("bench.ping")]
public readonly record struct PingValue([property: Id(0)] int Value);

/// <summary>
/// Activated on the silo whose code first calls it (<see cref="PreferLocalPlacementAttribute"/>): the benchmark
/// activates each target from the silo it should live on.
/// </summary>
[PreferLocalPlacement]
public sealed class PingGrain(ILocalSiloDetails silo) : Grain, IPingGrain
{
    public Task<PingValue> Ping(PingValue value) => Task.FromResult(new PingValue(value.Value + 1));

    public Task<SiloAddress> Where() => Task.FromResult(silo.SiloAddress);
}

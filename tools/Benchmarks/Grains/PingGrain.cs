using FleaMarket.Runtime;

namespace FleaMarket.Benchmarks.Grains;

/// <summary>The smallest useful grain call: one int in, one int out, so the runtime's own cost dominates.</summary>
public interface IPingGrain : IGrainWithStringKey
{
    Task<int> Ping(int value);
}

public sealed class PingGrain : Grain, IPingGrain
{
    public Task<int> Ping(int value) => Task.FromResult(value + 1);
}

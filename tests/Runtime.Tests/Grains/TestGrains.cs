using FleaMarket.Runtime;
using FleaMarket.Runtime.Hosting;
using FleaMarket.Runtime.Persistence;

namespace FleaMarket.Runtime.Tests.Grains;

public sealed class EchoGrain(Silo silo) : Grain, IEchoGrain
{
    public Task<string> Echo(string text) => Task.FromResult($"{this.GetPrimaryKeyString()}:{text}");

    public Task<string> WhereAmI() => Task.FromResult(silo.Address.ToString());

    public Task Fail(string message) => throw new ListingSoldOutTestException(message);

    public Task<EchoRecord> Roundtrip(EchoRecord record) => Task.FromResult(record with { Count = record.Count + 1 });
}

public sealed class GuidKeyGrain : Grain, IGuidKeyGrain
{
    public Task<Guid> GetKey() => Task.FromResult(this.GetPrimaryKey());
}

public sealed class LongKeyGrain : Grain, ILongKeyGrain
{
    public Task<long> GetKey() => Task.FromResult(this.GetPrimaryKeyLong());
}

public sealed class CounterGrain : Grain, ICounterGrain
{
    private int _count;

    public async Task<int> Increment()
    {
        var seen = _count;
        await Task.Yield();
        await Task.Delay(1);
        _count = seen + 1;
        return _count;
    }

    public Task<int> Get() => Task.FromResult(_count);
}

/// <summary>
/// The first caller waits until a second call arrives at the same activation: it can only finish if the two
/// requests interleave, which is what the interleaving tests prove.
/// </summary>
public abstract class RendezvousBase : Grain
{
    private TaskCompletionSource<bool>? _waiting;

    public Task<bool> MeetPartner()
    {
        if (_waiting is { } first)
        {
            _waiting = null;
            first.SetResult(true);
            return Task.FromResult(true);
        }

        _waiting = new TaskCompletionSource<bool>();
        return _waiting.Task;
    }
}

[Reentrant]
public sealed class RendezvousGrain : RendezvousBase, IRendezvousGrain;

public sealed class ReadOnlyRendezvousGrain : RendezvousBase, IReadOnlyRendezvousGrain;

public sealed class CounterState
{
    public int Value { get; set; }
}

public sealed class StoredCounterGrain(Silo silo, [PersistentState("counter")] IPersistentState<CounterState> counter) : Grain, IStoredCounterGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ActivationRegistry.Activated(GrainId, silo.Address);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ActivationRegistry.Deactivated(GrainId, silo.Address);
        return Task.CompletedTask;
    }

    public async Task<int> Increment()
    {
        counter.State.Value++;
        await counter.WriteStateAsync();
        return counter.State.Value;
    }

    public Task<int> Get() => Task.FromResult(counter.State.Value);
}

public sealed class SlowGrain(Silo silo) : Grain, ISlowGrain
{
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ActivationRegistry.Activated(GrainId, silo.Address);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        ActivationRegistry.Deactivated(GrainId, silo.Address);
        return Task.CompletedTask;
    }

    public Task Hang() => new TaskCompletionSource().Task;

    public Task Ping() => Task.CompletedTask;

    public Task Block()
    {
        ActivationRegistry.BlockStarted(GrainId);
        return _released.Task;
    }

    public Task Release()
    {
        _released.TrySetResult();
        return Task.CompletedTask;
    }
}

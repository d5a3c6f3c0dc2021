using FleaMarket.Runtime.Persistence;

namespace FleaMarket.Runtime.Testing;

/// <summary>
/// One test silo's handle on the cluster's shared storage. Killing the silo cuts it off, as the death of its
/// process would: turns still running in the shared test process can no longer write.
/// </summary>
internal sealed class KillableGrainStorage(IGrainStorage inner) : IGrainStorage
{
    private volatile bool _killed;

    public void Kill() => _killed = true;

    public Task ReadStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        ThrowIfKilled();
        return inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken);
    }

    public Task WriteStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        ThrowIfKilled();
        return inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
    }

    public Task ClearStateAsync<TState>(string stateName, GrainId grainId, IGrainState<TState> grainState, CancellationToken cancellationToken)
    {
        ThrowIfKilled();
        return inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken);
    }

    public void ThrowIfKilled()
    {
        if (_killed) throw new SiloUnavailableException("This silo was killed; its process can no longer reach storage.");
    }
}

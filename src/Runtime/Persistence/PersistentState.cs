namespace FleaMarket.Runtime.Persistence;

/// <summary>The runtime's <see cref="IPersistentState{TState}"/>: one per attributed constructor parameter of an activation.</summary>
internal sealed class PersistentState<TState>(string stateName, GrainId grainId, IGrainStorage storage) : IPersistentState<TState>, Activation.IStateLoader
    where TState : new()
{
    public TState State { get; set; } = new();

    public string? ETag { get; set; }

    public bool RecordExists { get; set; }

    public Task ReadStateAsync(CancellationToken cancellationToken = default) =>
        storage.ReadStateAsync(stateName, grainId, this, cancellationToken);

    public Task WriteStateAsync(CancellationToken cancellationToken = default) =>
        storage.WriteStateAsync(stateName, grainId, this, cancellationToken);

    public async Task ClearStateAsync(CancellationToken cancellationToken = default)
    {
        await storage.ClearStateAsync(stateName, grainId, this, cancellationToken).ConfigureAwait(false);
        State = new TState();
    }
}

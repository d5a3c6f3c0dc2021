using Microsoft.Extensions.DependencyInjection;

namespace FleaMarket.Cluster.Tests.Churn;

/// <summary>
/// Every live activation of one grain type across the silos of an in-process cluster, kept from Orleans' own
/// activation events: an activation is live from the moment it becomes valid (registered in the grain directory,
/// OnActivateAsync done) until it starts deactivating. Each silo reports to the same ledger through an
/// <see cref="IActivationWorkingSetObserver"/>, so an activation that becomes valid while another silo holds a live
/// one of the same grain is caught as it happens, however briefly the two overlap.
/// </summary>
/// <remarks>
/// A silo the test kills never reports its activations' end: <see cref="Forget"/> drops them and ignores the silo
/// from then on, as a killed process runs nothing.
/// </remarks>
internal sealed class ActivationLedger(string grainType)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<GrainId, Dictionary<ActivationId, SiloAddress>> _live = [];
    private readonly HashSet<SiloAddress> _forgotten = [];
    private readonly List<string> _duplicates = [];
    private readonly Dictionary<GrainId, int> _activations = [];

    /// <summary>Every time a second live activation appeared, described.</summary>
    public IReadOnlyList<string> Duplicates
    {
        get
        {
            lock (_gate) return [.. _duplicates];
        }
    }

    /// <summary>How many activations each grain had in all (more than one means it moved).</summary>
    public IReadOnlyDictionary<GrainId, int> Activations
    {
        get
        {
            lock (_gate) return new Dictionary<GrainId, int>(_activations);
        }
    }

    /// <summary>The silos holding a live activation of <paramref name="grain"/> now.</summary>
    public IReadOnlyList<SiloAddress> LiveOn(GrainId grain)
    {
        lock (_gate) return _live.TryGetValue(grain, out var live) ? [.. live.Values] : [];
    }

    /// <summary>Registers this ledger as an observer of a silo's activations.</summary>
    public void Observe(IServiceCollection silo) => silo.AddSingleton<IActivationWorkingSetObserver>(new Observer(this));

    /// <summary>The silo is about to be killed: its activations count as gone, its later events as never sent.</summary>
    public void Forget(SiloAddress silo)
    {
        lock (_gate)
        {
            _forgotten.Add(silo);
            foreach (var live in _live.Values)
            {
                foreach (var activation in live.Where(a => a.Value.Equals(silo)).Select(a => a.Key).ToList()) live.Remove(activation);
            }
        }
    }

    private void Valid(IGrainContext activation)
    {
        if (activation.GrainId.Type.ToString() != grainType) return;
        var silo = activation.Address.SiloAddress!;
        lock (_gate)
        {
            if (_forgotten.Contains(silo)) return;
            if (!_live.TryGetValue(activation.GrainId, out var live)) _live[activation.GrainId] = live = [];
            if (live.Count > 0)
            {
                _duplicates.Add($"{activation.GrainId} became valid on {silo} ({activation.ActivationId}) while live on {string.Join(", ", live.Select(l => $"{l.Value} ({l.Key})"))}");
            }

            live[activation.ActivationId] = silo;
            _activations[activation.GrainId] = _activations.GetValueOrDefault(activation.GrainId) + 1;
        }
    }

    private void Ending(IGrainContext activation)
    {
        if (activation.GrainId.Type.ToString() != grainType) return;
        lock (_gate)
        {
            if (_live.TryGetValue(activation.GrainId, out var live)) live.Remove(activation.ActivationId);
        }
    }

    private sealed class Observer(ActivationLedger ledger) : IActivationWorkingSetObserver
    {
        // Orleans calls OnAdded when an activation turns valid, OnDeactivating when it starts deactivating (from any
        // state) and OnDeactivated when it is disposed.
        public void OnAdded(IActivationWorkingSetMember member)
        {
            if (member is IGrainContext activation) ledger.Valid(activation);
        }

        public void OnDeactivating(IActivationWorkingSetMember member)
        {
            if (member is IGrainContext activation) ledger.Ending(activation);
        }

        public void OnDeactivated(IActivationWorkingSetMember member)
        {
            if (member is IGrainContext activation) ledger.Ending(activation);
        }
    }
}

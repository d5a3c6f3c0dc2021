using System.Collections.Concurrent;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace FleaMarket.Runtime.Tests.Membership;

/// <summary>
/// Membership agents over one in-memory table, a manual clock and a fake network in which silos can be
/// cut off. Probes and table-changed notifications complete synchronously, so everything a clock tick
/// triggers has happened when <see cref="ManualTimeProvider.Advance"/> returns.
/// </summary>
internal sealed class MembershipTestCluster : IAsyncDisposable
{
    private static int s_nextPort = 21000;
    private readonly List<MembershipAgent> _agents = [];

    public MembershipTestCluster(ClusterMembershipOptions? options = null)
    {
        Options = options ?? new ClusterMembershipOptions();
        Table = new FaultyMembershipTable(InnerTable);
    }

    public ManualTimeProvider Time { get; } = new();
    public InMemoryMembershipTable InnerTable { get; } = new();
    public FaultyMembershipTable Table { get; }
    public FakeMembershipNetwork Network { get; } = new();
    public ClusterMembershipOptions Options { get; }

    public MembershipAgent CreateAgent(SiloAddress? address = null)
    {
        var silo = address ?? NewSiloAddress();
        var agent = new MembershipAgent(Table, Network.PeersFor(silo), Options, Time, NullLogger.Instance, silo, $"silo-{silo.Port}");
        Network.Register(agent);
        lock (_agents) _agents.Add(agent);
        return agent;
    }

    public async Task<MembershipAgent> JoinAsync()
    {
        var agent = CreateAgent();
        await agent.JoinAsync(CancellationToken.None);
        return agent;
    }

    /// <summary>Abrupt kill: the agent stops without writing, and the silo answers nothing any more.</summary>
    public async Task KillAsync(MembershipAgent agent)
    {
        await agent.StopAsync();
        Network.SetReachable(agent.LocalSilo, false);
    }

    /// <summary>
    /// Moves the clock, firing due timers on this thread without xunit's synchronization context: with one,
    /// the runtime would not resume awaits inline in the timer callback but on the thread pool, after the
    /// clock had moved on.
    /// </summary>
    public void Advance(TimeSpan by)
    {
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            Time.Advance(by);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    /// <summary>Moves the clock in <paramref name="step"/>s until <paramref name="condition"/> holds; returns the time it took.</summary>
    public TimeSpan AdvanceUntil(Func<bool> condition, TimeSpan limit, TimeSpan? step = null)
    {
        var by = step ?? TimeSpan.FromSeconds(1);
        var elapsed = TimeSpan.Zero;
        while (!condition())
        {
            Assert.True(elapsed < limit, $"The condition did not hold within {limit} of cluster time.");
            Advance(by);
            elapsed += by;
        }

        return elapsed;
    }

    public static SiloAddress NewSiloAddress() => new("127.0.0.1", Interlocked.Increment(ref s_nextPort), 1);

    public async ValueTask DisposeAsync()
    {
        List<MembershipAgent> agents;
        lock (_agents) agents = [.. _agents];
        foreach (var agent in agents)
        {
            await agent.DisposeAsync();
        }
    }
}

/// <summary>A network of agents in which a silo can be made unreachable (probes and notifications to and from it are lost).</summary>
internal sealed class FakeMembershipNetwork
{
    private readonly ConcurrentDictionary<SiloAddress, MembershipAgent> _agents = new();
    private readonly ConcurrentDictionary<SiloAddress, byte> _unreachable = new();

    public void Register(MembershipAgent agent) => _agents[agent.LocalSilo] = agent;

    public void SetReachable(SiloAddress silo, bool reachable)
    {
        if (reachable) _unreachable.TryRemove(silo, out _);
        else _unreachable[silo] = 0;
    }

    public IMembershipPeers PeersFor(SiloAddress self) => new Peers(this, self);

    private bool CanTalk(SiloAddress from, SiloAddress to, out MembershipAgent? target)
    {
        target = null;
        return !_unreachable.ContainsKey(from) && !_unreachable.ContainsKey(to) && _agents.TryGetValue(to, out target);
    }

    private sealed class Peers(FakeMembershipNetwork network, SiloAddress self) : IMembershipPeers
    {
        // Like a refused connection: an unreachable silo fails the probe at once.
        public Task<bool> ProbeAsync(SiloAddress target, TimeSpan timeout, CancellationToken cancellationToken) =>
            Task.FromResult(network.CanTalk(self, target, out var agent) && !agent!.IsDeclaredDead);

        public void NotifyTableChanged(IEnumerable<SiloAddress> peers, long version)
        {
            foreach (var peer in peers)
            {
                if (network.CanTalk(self, peer, out var agent) && agent!.CurrentView.Version < version)
                {
                    // One-way and best effort, like the real message: a failed read is the receiver's problem.
                    _ = agent.RefreshAsync().ContinueWith(t => t.Exception, TaskScheduler.Default);
                }
            }
        }
    }
}

/// <summary>Wraps a table so a test can take it down, or slip another write in before the next update.</summary>
internal sealed class FaultyMembershipTable(IMembershipTable inner) : IMembershipTable
{
    private IMembershipTable _inner = inner;

    /// <summary>The engine comes back empty (e.g. Redis restarted without persistence).</summary>
    public void LoseData() => _inner = new InMemoryMembershipTable();

    private Func<Task>? _beforeNextUpdate;
    private volatile bool _isDown;

    /// <summary>While true every call throws, as when the database is unreachable.</summary>
    public bool IsDown
    {
        get => _isDown;
        set => _isDown = value;
    }

    /// <summary>Runs <paramref name="interloper"/> once, just before the next update reaches the table.</summary>
    public void BeforeNextUpdate(Func<Task> interloper) => _beforeNextUpdate = interloper;

    public Task<MembershipSnapshot> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return _inner.ReadAllAsync(cancellationToken);
    }

    public Task<bool> TryInsertAsync(MembershipEntry entry, long newVersion, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return _inner.TryInsertAsync(entry, newVersion, cancellationToken);
    }

    public async Task<bool> TryUpdateAsync(MembershipEntry entry, long newVersion, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        var interloper = Interlocked.Exchange(ref _beforeNextUpdate, null);
        if (interloper is not null) await interloper();
        return await _inner.TryUpdateAsync(entry, newVersion, cancellationToken);
    }

    public Task UpdateIAmAliveAsync(SiloAddress silo, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return _inner.UpdateIAmAliveAsync(silo, time, cancellationToken);
    }

    public Task<int> CleanupDefunctEntriesAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return _inner.CleanupDefunctEntriesAsync(olderThan, cancellationToken);
    }

    private void ThrowIfDown()
    {
        if (IsDown) throw new InvalidOperationException("The membership table is down.");
    }
}

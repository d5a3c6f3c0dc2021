using FleaMarket.Runtime.Membership;

namespace FleaMarket.Runtime.Tests.Membership;

public sealed class MembershipAgentTests
{
    private static readonly ClusterMembershipOptions s_defaults = new();

    // A silent silo misses one probe per period; the last miss is due NumMissedProbesLimit periods after it went silent.
    private static readonly TimeSpan s_detectionLimit = s_defaults.ProbeTimeout * s_defaults.NumMissedProbesLimit + TimeSpan.FromSeconds(1);

    [Fact]
    public async Task JoinAsync_ThreeSilos_AllActiveAndViewsConverge()
    {
        await using var cluster = new MembershipTestCluster();

        var agents = new[] { await cluster.JoinAsync(), await cluster.JoinAsync(), await cluster.JoinAsync() };

        var table = await cluster.InnerTable.ReadAllAsync();
        Assert.All(table.Entries, e => Assert.Equal(SiloStatus.Active, e.Status));
        Assert.Equal(6, table.Version); // one insert and one activation each
        Assert.All(agents, a => Assert.Equal(table.Version, a.CurrentView.Version));
        Assert.All(agents, a => Assert.Equal(agents.Select(x => x.LocalSilo).Order(), a.CurrentView.ActiveSilos));
    }

    [Fact]
    public async Task JoinAsync_EightSilosAtOnce_EveryWriteLandsAndViewsConverge()
    {
        await using var cluster = new MembershipTestCluster();
        var agents = Enumerable.Range(0, 8).Select(_ => cluster.CreateAgent()).ToList();

        await Task.WhenAll(agents.Select(a => Task.Run(() => a.JoinAsync(CancellationToken.None))));

        var table = await cluster.InnerTable.ReadAllAsync();
        Assert.Equal(16, table.Version);
        Assert.Equal(8, table.Entries.Count(e => e.Status == SiloStatus.Active));
        cluster.AdvanceUntil(() => agents.All(a => a.CurrentView.Version == table.Version), s_defaults.TableRefreshPeriod);
    }

    [Fact]
    public async Task JoinAsync_PreviousGenerationOnSameEndpoint_IsDeclaredDead()
    {
        await using var cluster = new MembershipTestCluster();
        var first = await cluster.JoinAsync();
        var old = first.LocalSilo;
        await cluster.KillAsync(first);

        var restarted = cluster.CreateAgent(old with { Generation = old.Generation + 1 });
        await restarted.JoinAsync(CancellationToken.None);

        Assert.Equal(SiloStatus.Dead, restarted.CurrentView.GetStatus(old));
        Assert.Equal([restarted.LocalSilo], restarted.CurrentView.ActiveSilos.ToArray());
    }

    [Fact]
    public async Task JoinAsync_ActiveSiloSilent_WaitsUntilItIsDeclaredDead()
    {
        await using var cluster = new MembershipTestCluster();
        var a = await cluster.JoinAsync();
        var silent = await cluster.JoinAsync();
        await cluster.KillAsync(silent);

        var joiner = cluster.CreateAgent();
        var join = joiner.JoinAsync(CancellationToken.None);
        Assert.False(join.IsCompleted);

        cluster.AdvanceUntil(() => join.IsCompleted, s_detectionLimit + s_defaults.ProbeTimeout);
        await join;
        Assert.Equal(SiloStatus.Dead, joiner.CurrentView.GetStatus(silent.LocalSilo));
        Assert.Equal(new[] { a.LocalSilo, joiner.LocalSilo }.Order(), joiner.CurrentView.ActiveSilos);
    }

    [Fact]
    public async Task JoinAsync_ActiveSiloNeverAnswersNorDies_ThrowsAfterJoinTimeout()
    {
        await using var cluster = new MembershipTestCluster();
        var now = cluster.Time.GetUtcNow();
        var ghost = MembershipTestCluster.NewSiloAddress();
        Assert.True(await cluster.InnerTable.TryInsertAsync(new MembershipEntry(ghost, SiloStatus.Active, "ghost", now, now), 1));

        var joiner = cluster.CreateAgent();
        var join = joiner.JoinAsync(CancellationToken.None);

        // The ghost still heartbeats into the table (cut off from silos, not from the table), so it is not stale.
        var waited = cluster.AdvanceUntil(() =>
        {
            cluster.InnerTable.UpdateIAmAliveAsync(ghost, cluster.Time.GetUtcNow()).GetAwaiter().GetResult();
            return join.IsCompleted;
        }, s_defaults.JoinTimeout + TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => join);
        Assert.Contains(ghost.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains("JoinTimeout", error.Message, StringComparison.Ordinal);
        Assert.True(waited >= s_defaults.JoinTimeout, $"Gave up after {waited}.");
    }

    [Fact]
    public async Task JoinAsync_ActiveSiloSilentWithoutHeartbeat_IsDeclaredDeadByTheJoiner()
    {
        await using var cluster = new MembershipTestCluster();
        var now = cluster.Time.GetUtcNow();
        var ghost = MembershipTestCluster.NewSiloAddress();
        Assert.True(await cluster.InnerTable.TryInsertAsync(new MembershipEntry(ghost, SiloStatus.Active, "ghost", now, now), 1));

        var joiner = cluster.CreateAgent();
        var join = joiner.JoinAsync(CancellationToken.None);
        var waited = cluster.AdvanceUntil(() => join.IsCompleted, s_defaults.JoinTimeout);
        await join;
        Assert.Equal(SiloStatus.Dead, joiner.CurrentView.GetStatus(ghost));
        Assert.True(waited < s_defaults.JoinTimeout, $"Took {waited}.");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Probing_SiloStopsAnswering_IsDeclaredDeadWithinMissedProbesLimit(int clusterSize)
    {
        await using var cluster = new MembershipTestCluster();
        var agents = new List<MembershipAgent>();
        for (var i = 0; i < clusterSize; i++) agents.Add(await cluster.JoinAsync());
        var victim = agents[^1];
        var survivors = agents[..^1];

        await cluster.KillAsync(victim);
        var took = cluster.AdvanceUntil(
            () => survivors.All(s => s.CurrentView.GetStatus(victim.LocalSilo) == SiloStatus.Dead),
            s_detectionLimit);

        Assert.True(took >= s_defaults.ProbeTimeout * (s_defaults.NumMissedProbesLimit - 1), $"Declared dead after only {took}.");
        var row = (await cluster.InnerTable.ReadAllAsync()).Find(victim.LocalSilo);
        Assert.NotNull(row);
        Assert.Equal(Math.Min(2, (clusterSize + 1) / 2), row.Suspects.Count);
        Assert.All(survivors, s => Assert.Equal(survivors.Select(x => x.LocalSilo).Order(), s.CurrentView.ActiveSilos));
    }

    [Fact]
    public async Task Probing_SiloAnswersAgainBeforeLimit_MissCountResets()
    {
        await using var cluster = new MembershipTestCluster();
        var a = await cluster.JoinAsync();
        var b = await cluster.JoinAsync();
        var almostLimit = s_defaults.ProbeTimeout * (s_defaults.NumMissedProbesLimit - 1);

        for (var round = 0; round < 3; round++)
        {
            cluster.Network.SetReachable(b.LocalSilo, false);
            cluster.Advance(almostLimit);
            cluster.Network.SetReachable(b.LocalSilo, true);
            cluster.Advance(s_defaults.ProbeTimeout);
        }

        var table = await cluster.InnerTable.ReadAllAsync();
        Assert.All(table.Entries, e => Assert.Equal(SiloStatus.Active, e.Status));
        Assert.All(table.Entries, e => Assert.Empty(e.Suspects));
        Assert.False(a.IsDeclaredDead || b.IsDeclaredDead);
    }

    [Fact]
    public async Task Refresh_ReadsItselfDead_RaisesDeclaredDeadOnceAndStopsLoops()
    {
        await using var cluster = new MembershipTestCluster();
        var a = await cluster.JoinAsync();
        var b = await cluster.JoinAsync();
        var declared = 0;
        b.DeclaredDead += () => Interlocked.Increment(ref declared);

        // Peers declared b dead while it heard nothing: it finds out on its next own read.
        var snapshot = await cluster.InnerTable.ReadAllAsync();
        Assert.True(await cluster.InnerTable.TryUpdateAsync(snapshot.Find(b.LocalSilo)! with { Status = SiloStatus.Dead }, snapshot.Version + 1));
        cluster.AdvanceUntil(() => b.IsDeclaredDead, s_defaults.TableRefreshPeriod);
        var lastAlive = (await cluster.InnerTable.ReadAllAsync()).Find(b.LocalSilo)!.IAmAliveTime;
        cluster.Advance(s_defaults.IAmAlivePeriod * 3);
        await b.RefreshAsync();

        Assert.Equal(1, declared);
        Assert.Equal(lastAlive, (await cluster.InnerTable.ReadAllAsync()).Find(b.LocalSilo)!.IAmAliveTime);
        Assert.False(a.IsDeclaredDead);
    }

    [Fact]
    public async Task Probing_TwoSilosCutOffFromEachOther_ExactlyOneSurvives()
    {
        await using var cluster = new MembershipTestCluster();
        var a = await cluster.JoinAsync();
        var b = await cluster.JoinAsync();
        var declared = new List<SiloAddress>();
        a.DeclaredDead += () => { lock (declared) declared.Add(a.LocalSilo); };
        b.DeclaredDead += () => { lock (declared) declared.Add(b.LocalSilo); };

        // Both still reach the table, not each other: each votes the other, the first CAS wins.
        cluster.Network.SetReachable(b.LocalSilo, false);
        cluster.AdvanceUntil(() => a.IsDeclaredDead || b.IsDeclaredDead, s_detectionLimit);
        cluster.Advance(s_defaults.TableRefreshPeriod);

        Assert.Single(declared);
        var table = await cluster.InnerTable.ReadAllAsync();
        Assert.Single(table.Entries, e => e.Status == SiloStatus.Active);
        Assert.Single(table.Entries, e => e.Status == SiloStatus.Dead && e.Silo == declared[0]);
    }

    [Fact]
    public async Task ShutDown_Graceful_GoesShuttingDownThenDeadWithoutDeclaredDead()
    {
        await using var cluster = new MembershipTestCluster();
        var a = await cluster.JoinAsync();
        var b = await cluster.JoinAsync();
        var declared = false;
        b.DeclaredDead += () => declared = true;

        await b.ShutDownAsync(CancellationToken.None);
        Assert.Equal(SiloStatus.ShuttingDown, b.CurrentView.GetStatus(b.LocalSilo));
        Assert.Equal(SiloStatus.ShuttingDown, a.CurrentView.GetStatus(b.LocalSilo));
        Assert.Equal([a.LocalSilo], a.CurrentView.ActiveSilos.ToArray());

        await b.MarkDeadAsync(CancellationToken.None);
        Assert.Equal(SiloStatus.Dead, b.CurrentView.GetStatus(b.LocalSilo));
        Assert.Equal(SiloStatus.Dead, a.CurrentView.GetStatus(b.LocalSilo));
        Assert.False(declared);
        Assert.False(b.IsDeclaredDead);

        // a no longer probes b, so nothing else happens to either row.
        var version = (await cluster.InnerTable.ReadAllAsync()).Version;
        cluster.Advance(s_detectionLimit * 2);
        Assert.Equal(version, (await cluster.InnerTable.ReadAllAsync()).Version);
    }

    [Fact]
    public async Task Write_ConflictBetweenTwoAgents_BothChangesLand()
    {
        await using var cluster = new MembershipTestCluster();
        var a = await cluster.JoinAsync();
        var b = await cluster.JoinAsync();
        var c = await cluster.JoinAsync();
        var before = (await cluster.InnerTable.ReadAllAsync()).Version;

        // a reads version v and is about to write v+1 when b's write of v+1 lands first.
        cluster.Table.BeforeNextUpdate(() => b.ShutDownAsync(CancellationToken.None));
        await a.ShutDownAsync(CancellationToken.None);

        var table = await cluster.InnerTable.ReadAllAsync();
        Assert.Equal(before + 2, table.Version);
        Assert.Equal(SiloStatus.ShuttingDown, table.Find(a.LocalSilo)?.Status);
        Assert.Equal(SiloStatus.ShuttingDown, table.Find(b.LocalSilo)?.Status);
        Assert.All([a, b, c], x => Assert.Equal(table.Version, x.CurrentView.Version));
    }

    [Fact]
    public async Task TableDown_KeepsLastView_AndCatchesUpWhenBack()
    {
        await using var cluster = new MembershipTestCluster();
        var a = await cluster.JoinAsync();
        var b = await cluster.JoinAsync();
        var view = a.CurrentView;

        cluster.Table.IsDown = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => a.RefreshAsync());
        cluster.Advance(s_defaults.TableRefreshPeriod * 4);

        Assert.Same(view, a.CurrentView);
        Assert.False(a.IsDeclaredDead || b.IsDeclaredDead);

        // Once back, the loops pick up again on their own: a reads a change nobody told it about.
        cluster.Table.IsDown = false;
        var snapshot = await cluster.InnerTable.ReadAllAsync();
        var now = cluster.Time.GetUtcNow();
        var newcomer = new MembershipEntry(MembershipTestCluster.NewSiloAddress(), SiloStatus.Joining, "newcomer", now, now);
        Assert.True(await cluster.InnerTable.TryInsertAsync(newcomer, snapshot.Version + 1));
        cluster.AdvanceUntil(() => a.CurrentView.Version == snapshot.Version + 1, s_defaults.TableRefreshPeriod);
        cluster.Advance(s_defaults.IAmAlivePeriod);
        Assert.True((await cluster.InnerTable.ReadAllAsync()).Find(a.LocalSilo)!.IAmAliveTime > now);
    }

    [Fact]
    public async Task Refresh_TableLostItsData_KeepsLastViewAndStaysAlive()
    {
        await using var cluster = new MembershipTestCluster();
        var a = await cluster.JoinAsync();
        var b = await cluster.JoinAsync();
        var view = a.CurrentView;

        cluster.Table.LoseData();
        await a.RefreshAsync();
        cluster.Advance(s_defaults.TableRefreshPeriod * 3);

        // An empty table is not a newer view, nor proof of death: both keep serving on what they knew.
        Assert.Same(view, a.CurrentView);
        Assert.Equal(2, b.CurrentView.ActiveSilos.Length);
        Assert.False(a.IsDeclaredDead || b.IsDeclaredDead);
    }

    [Fact]
    public async Task ViewChanged_EveryAdoptedVersion_RaisedOnceInOrder()
    {
        await using var cluster = new MembershipTestCluster();
        var a = await cluster.JoinAsync();
        var seen = new List<long>();
        a.ViewChanged += v => { lock (seen) seen.Add(v.Version); };

        var others = new[] { await cluster.JoinAsync(), await cluster.JoinAsync() };
        await others[0].ShutDownAsync(CancellationToken.None);
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => a.RefreshAsync())));

        Assert.Equal(seen.Order(), seen);
        Assert.Equal(seen.Distinct(), seen);
        Assert.Equal(a.CurrentView.Version, seen[^1]);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingTheSetting()
    {
        var options = new ClusterMembershipOptions { NumMissedProbesLimit = 0 };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new MembershipTestCluster(options).CreateAgent());

        Assert.Equal(nameof(ClusterMembershipOptions.NumMissedProbesLimit), error.ParamName);
    }
}

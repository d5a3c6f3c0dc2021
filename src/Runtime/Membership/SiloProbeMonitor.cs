using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Membership;

/// <summary>
/// Probes the silos one silo monitors and counts consecutive misses. Each silo monitors the
/// <see cref="ClusterMembershipOptions.NumProbedSilos"/> Active silos that follow it on the sorted
/// ring, so every silo is watched by as many peers and the load is spread evenly.
/// </summary>
internal sealed class SiloProbeMonitor
{
    private readonly IMembershipPeers _peers;
    private readonly ClusterMembershipOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SiloAddress _self;

    // Only touched by one probe round at a time (rounds never overlap).
    private readonly Dictionary<SiloAddress, int> _misses = [];

    public SiloProbeMonitor(IMembershipPeers peers, ClusterMembershipOptions options, TimeProvider time, ILogger logger, SiloAddress self)
    {
        _peers = peers;
        _options = options;
        _time = time;
        _logger = logger;
        _self = self;
    }

    /// <summary>The next <paramref name="count"/> silos after <paramref name="self"/> on the ring of <paramref name="activeSilos"/>.</summary>
    public static IReadOnlyList<SiloAddress> SelectTargets(ImmutableArray<SiloAddress> activeSilos, SiloAddress self, int count)
    {
        var others = activeSilos.Where(s => s != self).Order().ToList();
        if (others.Count == 0) return [];

        // The first silo above self, wrapping around: self need not be on the ring itself.
        var start = others.FindIndex(s => s.CompareTo(self) > 0);
        if (start < 0) start = 0;
        return [.. Enumerable.Range(0, Math.Min(count, others.Count)).Select(i => others[(start + i) % others.Count])];
    }

    /// <summary>
    /// Probes this silo's targets in <paramref name="view"/> once, in parallel, and returns those that have
    /// now missed at least <see cref="ClusterMembershipOptions.NumMissedProbesLimit"/> probes in a row.
    /// </summary>
    public async Task<IReadOnlyList<SiloAddress>> ProbeRoundAsync(MembershipView view, CancellationToken cancellationToken)
    {
        var targets = SelectTargets(view.ActiveSilos, _self, _options.NumProbedSilos);
        foreach (var gone in _misses.Keys.Except(targets).ToList())
        {
            _misses.Remove(gone);
        }

        var answers = await Task.WhenAll(targets.Select(t => ProbeAsync(t, cancellationToken))).ConfigureAwait(false);
        var suspects = new List<SiloAddress>();
        for (var i = 0; i < targets.Count; i++)
        {
            if (answers[i])
            {
                _misses.Remove(targets[i]);
                continue;
            }

            var misses = _misses.GetValueOrDefault(targets[i]) + 1;
            _misses[targets[i]] = misses;
            _logger.ProbeMissed(_self, targets[i], misses);
            if (misses >= _options.NumMissedProbesLimit) suspects.Add(targets[i]);
        }

        return suspects;
    }

    /// <summary>One probe bounded by <see cref="ClusterMembershipOptions.ProbeTimeout"/>; any failure is a miss.</summary>
    public async Task<bool> ProbeAsync(SiloAddress target, CancellationToken cancellationToken)
    {
        var timeout = _options.ProbeTimeout;
        try
        {
            // The transport bounds the probe too; this guard holds even if it does not.
            return await _peers.ProbeAsync(target, timeout, cancellationToken)
                .WaitAsync(timeout, _time, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}

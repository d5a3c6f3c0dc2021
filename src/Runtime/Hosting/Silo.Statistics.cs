using System.Text.Json;
using FleaMarket.Runtime.Diagnostics;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Messaging;

namespace FleaMarket.Runtime.Hosting;

/// <summary>What the dashboard reads: this silo's statistics and, through the control protocol, its peers'.</summary>
public sealed partial class Silo
{
    private const int HottestGrains = 10;

    /// <summary>This silo's statistics now.</summary>
    public SiloStatistics GetLocalStatistics()
    {
        var activations = _catalog?.Activations.ToList() ?? [];
        return new SiloStatistics(
            Address.ToString(), Name, View.GetStatus(Address), StartedAt, TimeProvider.GetUtcNow(), View.Version, activations.Count,
            activations.GroupBy(a => a.GrainClass.GrainType).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            _catalog?.Statistics.Snapshot() ?? [],
            [.. activations.OrderByDescending(a => Interlocked.Read(ref a.CallCount)).Take(HottestGrains)
                .Select(a => new HotGrain(a.GrainId.ToString(), Interlocked.Read(ref a.CallCount)))]);
    }

    /// <summary>
    /// Statistics of every silo that may hold grains in this silo's view: its own directly, the others over the
    /// control protocol. A silo that does not answer is reported with an error instead of failing the whole call.
    /// </summary>
    public async Task<IReadOnlyList<SiloStatistics>> GetClusterStatisticsAsync(CancellationToken cancellationToken = default)
    {
        var view = View;
        var peers = view.Snapshot.Entries.Where(e => e.Silo != Address && e.Status is SiloStatus.Active or SiloStatus.ShuttingDown or SiloStatus.Joining);
        var remote = await Task.WhenAll(peers.Select(peer => PeerStatisticsAsync(peer, cancellationToken))).ConfigureAwait(false);
        return [GetLocalStatistics(), .. remote];
    }

    private async Task<SiloStatistics> PeerStatisticsAsync(MembershipEntry peer, CancellationToken cancellationToken)
    {
        try
        {
            var request = SiloControlProtocol.Request(SiloControlProtocol.GetStatistics, 0, View.Version);
            var response = await _connections!.SendRequestAsync(peer.Silo, request, TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            if (response.Status == ResponseStatus.Ok && JsonSerializer.Deserialize<SiloStatistics>(response.Body.Span, _serializer.Options) is { } statistics)
            {
                return statistics;
            }
        }
        catch (Exception exception) when (exception is RetriableCallException or TimeoutException or JsonException)
        {
            return Unreachable(peer, exception.Message);
        }

        return Unreachable(peer, "no statistics in the answer");
    }

    private SiloStatistics Unreachable(MembershipEntry peer, string error) => new(
        peer.Silo.ToString(), peer.SiloName, peer.Status, peer.StartTime, TimeProvider.GetUtcNow(), View.Version, 0,
        new Dictionary<string, int>(), [], [], error);
}

/// <summary>The last views a silo adopted, for the dashboard's membership timeline.</summary>
internal sealed class MembershipHistory
{
    private const int Capacity = 200;
    private readonly Lock _gate = new();
    private readonly Queue<MembershipChange> _changes = new();

    public IReadOnlyList<MembershipChange> Changes
    {
        get
        {
            lock (_gate) return [.. _changes];
        }
    }

    public void Record(MembershipView view, DateTimeOffset at)
    {
        var silos = view.Snapshot.Entries.ToDictionary(e => $"{e.SiloName} ({e.Silo})", e => e.Status, StringComparer.Ordinal);
        lock (_gate)
        {
            _changes.Enqueue(new MembershipChange(at, view.Version, silos));
            while (_changes.Count > Capacity) _changes.Dequeue();
        }
    }
}

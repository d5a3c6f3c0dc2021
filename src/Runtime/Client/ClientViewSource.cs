using FleaMarket.Runtime.Membership;

namespace FleaMarket.Runtime.Client;

/// <summary>
/// A client's membership view: read from the membership table, and moved forward by the newer snapshots
/// that silos send back with redirects. Concurrent refreshes share one table read.
/// </summary>
internal sealed class ClientViewSource(IMembershipTable table) : IMembershipViewSource
{
    private readonly Lock _gate = new();
    private MembershipView _view = MembershipView.Empty;
    private Task<MembershipView>? _refreshing;

    public MembershipView CurrentView => Volatile.Read(ref _view);

    public Task<MembershipView> RefreshAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_refreshing is not { IsCompleted: false }) _refreshing = ReadAsync();
            return _refreshing.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Adopts <paramref name="snapshot"/> if it is newer than the current view.</summary>
    public void Adopt(MembershipSnapshot snapshot)
    {
        lock (_gate)
        {
            if (snapshot.Version > _view.Version) Volatile.Write(ref _view, new MembershipView(snapshot));
        }
    }

    private async Task<MembershipView> ReadAsync()
    {
        Adopt(await table.ReadAllAsync().ConfigureAwait(false));
        return CurrentView;
    }
}

using FleaMarket.Runtime.Membership;

namespace FleaMarket.Runtime.Client;

/// <summary>
/// What every client view source shares: the current view, moved forward only, by its own reads and by the
/// newer snapshots silos send back with redirects.
/// </summary>
internal abstract class ClientViewSourceBase : IMembershipViewSource
{
    private readonly Lock _gate = new();
    private MembershipView _view = MembershipView.Empty;

    public MembershipView CurrentView => Volatile.Read(ref _view);

    public abstract Task<MembershipView> RefreshAsync(CancellationToken cancellationToken = default);

    /// <summary>Adopts <paramref name="snapshot"/> if it is newer than the current view.</summary>
    public void Adopt(MembershipSnapshot snapshot)
    {
        lock (_gate)
        {
            if (snapshot.Version > _view.Version) Volatile.Write(ref _view, new MembershipView(snapshot));
        }
    }
}

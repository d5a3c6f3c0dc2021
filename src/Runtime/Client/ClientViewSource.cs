using FleaMarket.Runtime.Membership;

namespace FleaMarket.Runtime.Client;

/// <summary>
/// A client's membership view: read from the membership table, and moved forward by the newer snapshots
/// that silos send back with redirects. Concurrent refreshes share one table read.
/// </summary>
internal sealed class ClientViewSource(IMembershipTable table) : ClientViewSourceBase
{
    private readonly Lock _refreshGate = new();
    private Task<MembershipView>? _refreshing;

    public override Task<MembershipView> RefreshAsync(CancellationToken cancellationToken = default)
    {
        lock (_refreshGate)
        {
            if (_refreshing is not { IsCompleted: false }) _refreshing = ReadAsync();
            return _refreshing.WaitAsync(cancellationToken);
        }
    }

    private async Task<MembershipView> ReadAsync()
    {
        Adopt(await table.ReadAllAsync().ConfigureAwait(false));
        return CurrentView;
    }
}

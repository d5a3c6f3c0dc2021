namespace FleaMarket.Runtime.Membership;

/// <summary>Where a silo or client gets its current membership view.</summary>
internal interface IMembershipViewSource
{
    /// <summary>The newest view adopted so far.</summary>
    MembershipView CurrentView { get; }

    /// <summary>Reads the table now and adopts it if newer.</summary>
    Task<MembershipView> RefreshAsync(CancellationToken cancellationToken = default);
}

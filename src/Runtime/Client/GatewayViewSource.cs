using System.Net;
using System.Text.Json;
using FleaMarket.Runtime.Hosting;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Messaging;
using FleaMarket.Runtime.Transport;

namespace FleaMarket.Runtime.Client;

/// <summary>
/// Reads the membership view through any live gateway silo instead of the membership table, for clients
/// that are given silo endpoints rather than table credentials. Gateways are tried in turn; the first that
/// answers wins. Once a view is known, its Active silos serve as gateways too.
/// </summary>
internal sealed class GatewayViewSource(IReadOnlyList<IPEndPoint> gateways, ConnectionManager connections, TimeSpan timeout) : ClientViewSourceBase
{
    public override async Task<MembershipView> RefreshAsync(CancellationToken cancellationToken = default)
    {
        Exception? lastError = null;
        foreach (var gateway in Candidates())
        {
            try
            {
                var request = SiloControlProtocol.Request(SiloControlProtocol.GetMembership, 0, CurrentView.Version);
                var response = await connections.SendRequestAsync(gateway, request, timeout, cancellationToken).ConfigureAwait(false);
                if (response.Status != ResponseStatus.Ok) continue;
                var snapshot = JsonSerializer.Deserialize<MembershipSnapshot>(response.Body.Span);
                if (snapshot is not null) Adopt(snapshot);
                return CurrentView;
            }
            catch (Exception exception) when (exception is RetriableCallException or TimeoutException)
            {
                lastError = exception;
            }
        }

        throw new SiloUnavailableException($"No gateway silo answered ({string.Join(", ", gateways)}).", inner: lastError);
    }

    // Known Active silos first (they are current), then the configured endpoints; generation 0 names
    // "whoever listens there", since a configured gateway's generation is not known.
    private IEnumerable<SiloAddress> Candidates() =>
        CurrentView.ActiveSilos.Concat(gateways.Select(g => new SiloAddress(g.Address.ToString(), g.Port, 0))).Distinct();
}

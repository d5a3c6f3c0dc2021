using FleaMarket.Runtime.Activation;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Messaging;
using FleaMarket.Runtime.Transport;

namespace FleaMarket.Runtime.Hosting;

/// <summary>The sending side of the control protocol: probes, gossip and view settling over the silo transport.</summary>
internal sealed class SiloControl(ConnectionManager connections, Func<long> currentViewVersion, TimeSpan handoffTimeout) : IMembershipPeers, ISiloControl
{
    public async Task<bool> ProbeAsync(SiloAddress target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var request = SiloControlProtocol.Request(SiloControlProtocol.Ping, target.Generation, currentViewVersion());
            var response = await connections.SendRequestAsync(target, request, timeout, cancellationToken).ConfigureAwait(false);
            return response.Status == ResponseStatus.Ok;
        }
        catch (Exception exception) when (exception is RetriableCallException or TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    public void NotifyTableChanged(IEnumerable<SiloAddress> peers, long version)
    {
        foreach (var peer in peers)
        {
            connections.SendOneWay(peer, SiloControlProtocol.Request(SiloControlProtocol.TableChanged, version, version, MessageKind.OneWay));
        }
    }

    public async Task AwaitViewAsync(SiloAddress peer, long version, CancellationToken cancellationToken)
    {
        var request = SiloControlProtocol.Request(SiloControlProtocol.AwaitView, version, currentViewVersion());
        var response = await connections.SendRequestAsync(peer, request, handoffTimeout, cancellationToken).ConfigureAwait(false);
        if (response.Status != ResponseStatus.Ok)
        {
            throw new RetriableCallException($"Silo {peer} did not confirm view {version}: {System.Text.Encoding.UTF8.GetString(response.Body.Span)}");
        }
    }
}

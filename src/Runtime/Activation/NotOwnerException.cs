using FleaMarket.Runtime.Membership;

namespace FleaMarket.Runtime.Activation;

/// <summary>
/// Internal signal: this silo does not own the grain in <see cref="View"/>; the request did not run and
/// goes to the owner instead (a redirect for remote callers, a re-route for local ones).
/// </summary>
internal sealed class NotOwnerException(GrainId grainId, MembershipView view)
    : RequestRejectedException($"This silo does not own {grainId} in membership view {view.Version}.")
{
    public MembershipView View { get; } = view;
}

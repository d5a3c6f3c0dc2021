using System.Threading.Channels;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Placement;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Activation;

/// <summary>
/// Single activation across view changes. When this silo adopts view V it deactivates (writing state)
/// every grain it no longer owns in V, then raises its hand-off watermark to V. A silo that gains a grain
/// in V activates it only once V is settled: every other silo that may hold grains in V has adopted V and
/// finished its own hand-off. Silos declared Dead in V are not asked — their grains are free.
/// </summary>
internal sealed partial class Catalog
{
    private static readonly TimeSpan SettleRetryDelay = TimeSpan.FromMilliseconds(50);
    private readonly Channel<MembershipView> _viewChanges = Channel.CreateUnbounded<MembershipView>(new() { SingleReader = true });
    private readonly VersionWatermark _handedOff = new();
    private readonly VersionWatermark _settled = new();
    private readonly Lock _settleGate = new();
    private (long Version, Task Task)? _settling;

    /// <summary>Called for every view this silo adopts, in order.</summary>
    public void OnViewChanged(MembershipView view)
    {
        _viewChanges.Writer.TryWrite(view);
    }

    /// <summary>Completes once every grain this silo does not own in view <paramref name="version"/> has been released.</summary>
    public Task WaitForHandoffAsync(long version, CancellationToken cancellationToken) => _handedOff.WaitForAsync(version, cancellationToken);

    /// <summary>
    /// Waits until this silo may activate <paramref name="grainId"/>: it owns the grain in its current view and
    /// that view has settled. Throws <see cref="NotOwnerException"/> if the grain belongs elsewhere, or a retriable
    /// error if the previous owner neither releases it nor is declared dead within the hand-off timeout.
    /// </summary>
    public async Task WaitUntilOwnedAsync(GrainId grainId)
    {
        var deadline = TimeProvider.GetTimestamp() + (long)(Options.HandoffTimeout.TotalSeconds * TimeProvider.TimestampFrequency);
        while (true)
        {
            var view = _membership.CurrentView;
            if (GrainOwnership.OwnerOf(grainId, view) != Self) throw new NotOwnerException(grainId, view);
            if (_settled.Value >= view.Version) return;
            var remaining = TimeProvider.GetElapsedTime(TimeProvider.GetTimestamp(), deadline);
            if (remaining <= TimeSpan.Zero)
            {
                throw new RequestRejectedException(
                    $"{grainId} is moving to silo {Self} but the previous owner has neither released it nor been declared dead yet.");
            }

            try
            {
                await SettleAsync(view).WaitAsync(remaining, TimeProvider).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not TimeoutException)
            {
                LogSettleRetry(_logger, view.Version, exception.Message);
                await Task.Delay(SettleRetryDelay, TimeProvider).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Loop once more: the deadline check above turns this into a retriable error.
            }
        }
    }

    /// <summary>The peer side of settling: answers once this silo has adopted <paramref name="version"/> and handed off.</summary>
    public async Task AwaitViewAsync(long version, CancellationToken cancellationToken)
    {
        while (_membership.CurrentView.Version < version)
        {
            var refreshed = await _membership.RefreshAsync(cancellationToken).ConfigureAwait(false);
            if (refreshed.Version < version) await Task.Delay(SettleRetryDelay, TimeProvider, cancellationToken).ConfigureAwait(false);
        }

        await _handedOff.WaitForAsync(version, cancellationToken).ConfigureAwait(false);
    }

    private Task SettleAsync(MembershipView view)
    {
        lock (_settleGate)
        {
            if (_settling is { } current && current.Version == view.Version && !current.Task.IsFaulted) return current.Task;
            var task = SettleCoreAsync(view);
            _settling = (view.Version, task);
            return task;
        }
    }

    private async Task SettleCoreAsync(MembershipView view)
    {
        await Task.Yield();
        using var timeout = new CancellationTokenSource(Options.HandoffTimeout, TimeProvider);
        var peers = view.SilosHoldingGrains.Where(silo => silo != Self);
        await Task.WhenAll(peers.Select(peer => _control.AwaitViewAsync(peer, view.Version, timeout.Token))).ConfigureAwait(false);
        _settled.Advance(view.Version);
    }

    private async Task ProcessViewChangesAsync()
    {
        await foreach (var view in _viewChanges.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            var released = new List<Task>();
            foreach (var activation in _activations.Values)
            {
                if (GrainOwnership.OwnerOf(activation.GrainId, view) == Self) continue;
                activation.RequestDeactivation(DeactivationReason.OwnershipChanged);
                released.Add(activation.Deactivated);
            }

            await Task.WhenAll(released).ConfigureAwait(false);
            if (released.Count > 0) LogHandedOff(_logger, released.Count, view.Version);
            _handedOff.Advance(view.Version);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "View {ViewVersion} not settled yet: {Reason}")]
    private static partial void LogSettleRetry(ILogger logger, long viewVersion, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released {Count} grains on adopting view {ViewVersion}")]
    private static partial void LogHandedOff(ILogger logger, int count, long viewVersion);
}

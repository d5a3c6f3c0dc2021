using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace FleaMarket.Grains.Users;

/// <summary>
/// A login session keyed by the SHA-256 of its token. Expiry slides with use; the sliding is persisted at
/// most once a minute so that authenticating a busy session does not cost a write per request.
/// </summary>
/// <remarks>
/// A call that finds no live session (unknown, ended or expired: none of them can become valid again) lets
/// the activation go as soon as the call returns. Anyone can send well-formed random tokens; an activation
/// kept for the idle age per token would be memory a stranger fills at will.
/// </remarks>
public sealed partial class SessionGrain([PersistentState("session")] IPersistentState<SessionState> state, TimeProvider time,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain
{
    private static readonly TimeSpan PersistSlack = TimeSpan.FromMinutes(1);
    private DateTimeOffset _expiresAt;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _expiresAt = state.State.ExpiresAt;
        return Task.CompletedTask;
    }

    public async Task<DateTimeOffset> Start(UserProfile user, TimeSpan slidingExpiry)
    {
        if (state.RecordExists) throw new InvalidOperationException("A session with this token already exists.");
        _expiresAt = time.GetUtcNow() + slidingExpiry;
        state.State = new SessionState { User = user, SlidingExpiry = slidingExpiry, ExpiresAt = _expiresAt };
        await state.WriteStateAsync();
        return _expiresAt;
    }

    public async Task<UserProfile?> Authenticate()
    {
        var now = time.GetUtcNow();
        if (!state.RecordExists || state.State.Ended || state.State.User is null || now >= _expiresAt)
        {
            DeactivateOnIdle();
            return null;
        }

        _expiresAt = now + state.State.SlidingExpiry;
        if (_expiresAt - state.State.ExpiresAt >= PersistSlack)
        {
            state.State.ExpiresAt = _expiresAt;
            await state.WriteStateAsync();
        }

        return state.State.User;
    }

    public Task<DateTimeOffset?> GetExpiry()
    {
        var live = state.RecordExists && !state.State.Ended && state.State.User is not null && time.GetUtcNow() < _expiresAt;
        if (!live) DeactivateOnIdle();
        return Task.FromResult<DateTimeOffset?>(live ? _expiresAt : null);
    }

    public async Task End()
    {
        // Ended (now or before) or never started: nothing left to hold in memory either way.
        DeactivateOnIdle();
        if (!state.RecordExists || state.State.Ended) return;
        state.State.Ended = true;
        await state.WriteStateAsync();
        // API nodes cache live sessions for a few seconds: tell them now. The session has ended whatever happens
        // here; a node this does not reach drops its copy when it expires.
        try
        {
            await GrainFactory.Reference<ISessionRevocationGrain>(ISessionRevocationGrain.ClusterKey).Revoke(this.GetPrimaryKeyString());
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogRevocationFailed(exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An ended session could not be revoked on the API nodes; their cached copies expire by themselves.")]
    private partial void LogRevocationFailed(Exception exception);

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Keep the slid expiry across a hand-off to another silo; an unknown, ended or expired session is not written.
        var lostRace = reason.ReasonCode == DeactivationReasonCode.ApplicationError && reason.Exception is InconsistentStateException;
        var live = state.RecordExists && !state.State.Ended && time.GetUtcNow() < _expiresAt;
        if (!lostRace && live && _expiresAt > state.State.ExpiresAt)
        {
            state.State.ExpiresAt = _expiresAt;
            await state.WriteStateAsync(cancellationToken);
        }
    }
}

/// <summary>The stored state of a session grain.</summary>
[GenerateSerializer, Alias("FleaMarket.SessionState")]
public sealed class SessionState
{
    [Id(0)]
    public UserProfile? User { get; set; }

    [Id(1)]
    public TimeSpan SlidingExpiry { get; set; }

    [Id(2)]
    public DateTimeOffset ExpiresAt { get; set; }

    [Id(3)]
    public bool Ended { get; set; }
}

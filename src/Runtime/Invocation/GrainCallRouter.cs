using System.Diagnostics;
using System.Text.Json;
using FleaMarket.Runtime.Activation;
using FleaMarket.Runtime.Diagnostics;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Messaging;
using FleaMarket.Runtime.Placement;
using FleaMarket.Runtime.Serialization;
using FleaMarket.Runtime.Transport;

namespace FleaMarket.Runtime.Invocation;

/// <summary>
/// Sends each call straight to the silo that owns the grain in the caller's view. A redirect carries the
/// owner's newer view, which the caller adopts before trying again. Only calls that provably did not run
/// are resent automatically; a call that may have run fails with a retriable error unless its method is
/// marked idempotent.
/// </summary>
internal sealed class GrainCallRouter(
    IMembershipViewSource views,
    Func<MembershipSnapshot, Task> adoptSnapshot,
    ConnectionManager connections,
    GrainSerializer serializer,
    RouterOptions options,
    RuntimeMetrics metrics,
    TimeProvider time) : IGrainCaller
{
    /// <summary>The local catalog and silo address when this router runs in a silo (calls to own grains skip the network).</summary>
    public (Catalog Catalog, SiloAddress Self)? Local { get; set; }

    public async Task<object?> InvokeAsync(GrainId target, GrainMethod method, object?[] arguments)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await RouteAsync(target, method, arguments).ConfigureAwait(false);
            metrics.CallCompleted(target.Type, "ok", started);
            return result;
        }
        catch (Exception exception)
        {
            metrics.CallCompleted(target.Type, exception is RetriableCallException or TimeoutException ? "unavailable" : "error", started);
            throw;
        }
    }

    public void InvokeOneWay(GrainId target, GrainMethod method, object?[] arguments)
    {
        var owner = GrainOwnership.OwnerOf(target, views.CurrentView);
        if (owner is null) return;
        if (Local is { } local && owner == local.Self)
        {
            local.Catalog.Dispatch(target, new WorkItem(method, CopyArguments(method, arguments)));
            return;
        }

        connections.SendOneWay(owner.Value, CreateRequest(target, method, serializer.SerializeArguments(arguments, method.ParameterTypes), MessageKind.OneWay));
    }

    private async Task<object?> RouteAsync(GrainId target, GrainMethod method, object?[] arguments)
    {
        byte[]? body = null;
        var redirects = 0;
        var retries = 0;
        while (true)
        {
            var view = views.CurrentView;
            var owner = GrainOwnership.OwnerOf(target, view);
            if (owner is null)
            {
                await BackOffAsync(++retries, $"no active silo is known to own {target}").ConfigureAwait(false);
                continue;
            }

            if (Local is { } local && owner == local.Self)
            {
                var item = new WorkItem(method, CopyArguments(method, arguments));
                local.Catalog.Dispatch(target, item);
                try
                {
                    var result = await item.Completion.Task.ConfigureAwait(false);
                    return method.ResultType is null ? null : serializer.Copy(result, method.ResultType);
                }
                catch (NotOwnerException)
                {
                    if (++redirects > options.MaxRedirects) throw Unsettled(target);
                    await views.RefreshAsync().ConfigureAwait(false);
                    continue;
                }
                catch (RequestRejectedException rejected)
                {
                    await BackOffAsync(++retries, rejected.Message).ConfigureAwait(false);
                    continue;
                }
            }

            body ??= serializer.SerializeArguments(arguments, method.ParameterTypes);
            Message response;
            try
            {
                response = await connections.SendRequestAsync(owner.Value, CreateRequest(target, method, body, MessageKind.Request, view.Version)).ConfigureAwait(false);
            }
            catch (SiloUnavailableException unavailable) when (!unavailable.RequestSent || method.IsIdempotent)
            {
                await BackOffAsync(++retries, unavailable.Message, unavailable).ConfigureAwait(false);
                continue;
            }

            switch (response.Status)
            {
                case ResponseStatus.Ok:
                    return method.ResultType is null ? null : serializer.DeserializeValue(response.Body, method.ResultType);
                case ResponseStatus.Exception:
                    throw serializer.DeserializeException(response.Body);
                case ResponseStatus.Redirect:
                    if (++redirects > options.MaxRedirects) throw Unsettled(target);
                    var snapshot = JsonSerializer.Deserialize<MembershipSnapshot>(response.Body.Span, serializer.Options);
                    if (snapshot is not null) await adoptSnapshot(snapshot).ConfigureAwait(false);
                    continue;
                default:
                    await BackOffAsync(++retries, System.Text.Encoding.UTF8.GetString(response.Body.Span)).ConfigureAwait(false);
                    continue;
            }
        }
    }

    private async Task BackOffAsync(int attempt, string reason, Exception? cause = null)
    {
        if (attempt > options.MaxRetries) throw new RetriableCallException($"Call failed after {options.MaxRetries} retries: {reason}", cause);
        await Task.Delay(options.RetryBackoff * attempt, time).ConfigureAwait(false);
        try
        {
            await views.RefreshAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The table is unreachable: keep the last view; the next attempt or the retry limit decides.
        }
    }

    private static RetriableCallException Unsettled(GrainId target) =>
        new($"The cluster is still settling who owns {target}; try again.");

    private object?[] CopyArguments(GrainMethod method, object?[] arguments)
    {
        if (method.AllArgumentsImmutable) return arguments;
        var copy = new object?[arguments.Length];
        for (var i = 0; i < arguments.Length; i++) copy[i] = serializer.Copy(arguments[i], method.ParameterTypes[i]);
        return copy;
    }

    private static Message CreateRequest(GrainId target, GrainMethod method, byte[] body, MessageKind kind, long viewVersion = 0) => new()
    {
        Kind = kind,
        Target = target,
        MethodId = method.Id,
        ViewVersion = viewVersion,
        Body = body,
    };
}

using System.Text;
using System.Text.Json;
using FleaMarket.Runtime.Activation;
using FleaMarket.Runtime.Invocation;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Messaging;
using FleaMarket.Runtime.Serialization;
using FleaMarket.Runtime.Transport;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Hosting;

/// <summary>
/// Everything a silo receives: grain calls (dispatched to the catalog, answered with the result, the
/// grain's exception, a redirect to the owner, or "unavailable, nothing ran") and control calls.
/// </summary>
internal sealed partial class SiloMessageHandler(GrainSerializer serializer, ILogger logger) : IMessageHandler
{
    private Silo? _silo;

    public void Attach(Silo silo) => _silo = silo;

    public void OnMessage(Message message, IReplySink replyTo)
    {
        if (_silo is not { IsServing: true } silo)
        {
            if (message.Kind == MessageKind.Request)
            {
                replyTo.Reply(Message.CreateResponse(message, ResponseStatus.Unavailable, Encoding.UTF8.GetBytes("The silo is not serving."), 0));
            }

            return;
        }

        _ = message.Target.IsSystemTarget ? HandleControlAsync(silo, message, replyTo) : HandleGrainCallSafelyAsync(silo, message, replyTo);
    }

    private async Task HandleGrainCallSafelyAsync(Silo silo, Message message, IReplySink replyTo)
    {
        try
        {
            await HandleGrainCallAsync(silo, message, replyTo).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // Producing the reply itself failed (e.g. a result that cannot be serialized): the caller must
            // still hear back instead of waiting for its timeout.
            LogReplyFailed(logger, message.Target, exception);
            Reply(message, replyTo, ResponseStatus.Exception,
                serializer.SerializeException(new InvalidOperationException($"The silo could not answer the call to {message.Target}: {exception.Message}")), 0);
        }
    }

    private async Task HandleGrainCallAsync(Silo silo, Message message, IReplySink replyTo)
    {
        GrainMethod? method = null;
        try
        {
            if (message.ViewVersion > silo.Membership.CurrentView.Version)
            {
                await silo.Membership.RefreshAsync().ConfigureAwait(false);
            }

            method = GrainInterfaceCatalog.FindMethod(message.MethodId)
                ?? throw new InvalidOperationException($"Silo does not know grain method id {message.MethodId} (called on {message.Target}).");
            var item = new WorkItem(method, serializer.DeserializeArguments(message.Body, method.ParameterTypes));
            silo.Catalog.Dispatch(message.Target, item);
            var result = await item.Completion.Task.ConfigureAwait(false);
            if (message.Kind != MessageKind.Request) return;
            var body = method.ResultType is null ? [] : serializer.SerializeValue(result, method.ResultType);
            if (body.Length > silo.MaxResponseBodyBytes)
            {
                // The transport would drop a frame this big and the caller would wait out its timeout; fail it now instead.
                throw new InvalidOperationException(
                    $"The result of {method.Name} on {message.Target} is {body.Length} bytes, over the Messaging:MaxMessageBytes limit.");
            }

            replyTo.Reply(Message.CreateResponse(message, ResponseStatus.Ok, body, silo.Membership.CurrentView.Version));
        }
        catch (NotOwnerException notOwner)
        {
            Reply(message, replyTo, ResponseStatus.Redirect, JsonSerializer.SerializeToUtf8Bytes(notOwner.View.Snapshot, serializer.Options), notOwner.View.Version);
        }
        catch (RequestRejectedException rejected)
        {
            Reply(message, replyTo, ResponseStatus.Unavailable, Encoding.UTF8.GetBytes(rejected.Message), silo.Membership.CurrentView.Version);
        }
        catch (Exception exception)
        {
            if (message.Kind != MessageKind.Request) LogOneWayFailed(logger, message.Target, exception);
            Reply(message, replyTo, ResponseStatus.Exception, serializer.SerializeException(exception), silo.Membership.CurrentView.Version);
        }
    }

    private async Task HandleControlAsync(Silo silo, Message message, IReplySink replyTo)
    {
        try
        {
            var argument = SiloControlProtocol.Decode(message.Body);
            switch (message.MethodId)
            {
                case SiloControlProtocol.Ping:
                    var alive = argument == silo.Address.Generation;
                    Reply(message, replyTo, alive ? ResponseStatus.Ok : ResponseStatus.Unavailable, [], silo.Membership.CurrentView.Version);
                    break;
                case SiloControlProtocol.AwaitView:
                    using (var timeout = new CancellationTokenSource(silo.CatalogOptions.HandoffTimeout, silo.TimeProvider))
                    {
                        await silo.Catalog.AwaitViewAsync(argument, timeout.Token).ConfigureAwait(false);
                    }

                    Reply(message, replyTo, ResponseStatus.Ok, [], silo.Membership.CurrentView.Version);
                    break;
                case SiloControlProtocol.GetMembership:
                    var view = silo.Membership.CurrentView;
                    Reply(message, replyTo, ResponseStatus.Ok, JsonSerializer.SerializeToUtf8Bytes(view.Snapshot, serializer.Options), view.Version);
                    break;
                case SiloControlProtocol.GetStatistics:
                    Reply(message, replyTo, ResponseStatus.Ok, JsonSerializer.SerializeToUtf8Bytes(silo.GetLocalStatistics(), serializer.Options),
                        silo.Membership.CurrentView.Version);
                    break;
                case SiloControlProtocol.TableChanged:
                    if (argument > silo.Membership.CurrentView.Version) await silo.Membership.RefreshAsync().ConfigureAwait(false);
                    break;
                default:
                    throw new InvalidOperationException($"Unknown control method {message.MethodId}.");
            }
        }
        catch (Exception exception)
        {
            Reply(message, replyTo, ResponseStatus.Unavailable, Encoding.UTF8.GetBytes(exception.Message), silo.Membership.CurrentView.Version);
        }
    }

    private static void Reply(Message request, IReplySink replyTo, ResponseStatus status, byte[] body, long viewVersion)
    {
        if (request.Kind == MessageKind.Request) replyTo.Reply(Message.CreateResponse(request, status, body, viewVersion));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Answering a call to {GrainId} failed")]
    private static partial void LogReplyFailed(ILogger logger, GrainId grainId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "One-way call to {GrainId} failed")]
    private static partial void LogOneWayFailed(ILogger logger, GrainId grainId, Exception exception);
}

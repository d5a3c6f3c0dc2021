using System.Net;
using FleaMarket.Runtime.Membership;
using FleaMarket.Runtime.Messaging;
using Microsoft.Extensions.Logging;

namespace FleaMarket.Runtime.Transport;

/// <summary>Source-generated log messages of the transport (event ids 1100-1199).</summary>
internal static partial class TransportLog
{
    [LoggerMessage(1100, LogLevel.Debug, "Connection to {Peer} opened ({Direction})")]
    public static partial void ConnectionOpened(this ILogger logger, string peer, string direction);

    [LoggerMessage(1101, LogLevel.Debug, "Connection to {Peer} closed; {PendingCount} pending requests failed")]
    public static partial void ConnectionClosed(this ILogger logger, string peer, int pendingCount);

    [LoggerMessage(1102, LogLevel.Warning, "Connection to {Peer} failed; {PendingCount} pending requests failed")]
    public static partial void ConnectionFailed(this ILogger logger, Exception error, string peer, int pendingCount);

    [LoggerMessage(1103, LogLevel.Error, "Message handler threw for {Kind} to method {MethodId} of {Target} from {Peer}")]
    public static partial void HandlerFailed(this ILogger logger, Exception error, MessageKind kind, int methodId, GrainId target, string peer);

    [LoggerMessage(1104, LogLevel.Error, "Dropped a {Kind} of {FrameBytes} bytes to {Peer}: over the {MaxMessageBytes}-byte limit")]
    public static partial void OversizedMessageDropped(this ILogger logger, MessageKind kind, long frameBytes, string peer, int maxMessageBytes);

    [LoggerMessage(1105, LogLevel.Debug, "Late response {CorrelationId} from {Peer} dropped: its request already ended")]
    public static partial void LateResponse(this ILogger logger, long correlationId, string peer);

    [LoggerMessage(1110, LogLevel.Warning, "Could not connect to silo {Silo}")]
    public static partial void ConnectFailed(this ILogger logger, Exception error, SiloAddress silo);

    [LoggerMessage(1111, LogLevel.Warning, "One-way message to method {MethodId} of {Target} on silo {Silo} was not sent")]
    public static partial void OneWayFailed(this ILogger logger, Exception error, int methodId, GrainId target, SiloAddress silo);

    [LoggerMessage(1120, LogLevel.Information, "Silo listener bound to {EndPoint}")]
    public static partial void ListenerStarted(this ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(1121, LogLevel.Warning, "Silo listener on {EndPoint} stopped accepting")]
    public static partial void AcceptFailed(this ILogger logger, Exception error, IPEndPoint endPoint);
}

using FleaMarket.Runtime.Messaging;

namespace FleaMarket.Runtime.Transport;

/// <summary>Where a connection sends the requests and one-way messages it receives.</summary>
internal interface IMessageHandler
{
    /// <summary>
    /// Handles an inbound request or one-way message. Must not block: long work is queued.
    /// For a request, exactly one response is sent back through <paramref name="replyTo"/>.
    /// </summary>
    void OnMessage(Message message, IReplySink replyTo);
}

/// <summary>The connection a request came in on, for sending its response.</summary>
internal interface IReplySink
{
    /// <summary>Queues a response; dropped silently if the connection has closed (the caller fails on its own).</summary>
    void Reply(Message response);
}

namespace FleaMarket.Runtime.Messaging;

/// <summary>What a frame on the wire carries.</summary>
internal enum MessageKind : byte
{
    /// <summary>A call that expects a <see cref="Response"/> with the same correlation id.</summary>
    Request = 1,
    /// <summary>A call whose sender does not wait for an answer.</summary>
    OneWay = 2,
    /// <summary>The answer to a <see cref="Request"/>.</summary>
    Response = 3,
}

/// <summary>How a request ended, carried by its response.</summary>
internal enum ResponseStatus : byte
{
    /// <summary>Body holds the serialized result.</summary>
    Ok = 0,
    /// <summary>Body holds a serialized exception thrown by the grain.</summary>
    Exception = 1,
    /// <summary>The receiver does not own the target grain; body holds its newer membership snapshot. Nothing ran.</summary>
    Redirect = 2,
    /// <summary>The receiver could not run the request now (shutting down, grain moving); body holds a UTF-8 reason. Nothing ran.</summary>
    Unavailable = 3,
}

/// <summary>
/// One frame of the silo protocol. Requests name a target grain and a method; responses echo the
/// request's correlation id. Every message carries the sender's membership view version so a receiver
/// with an older view refreshes before it decides who owns a grain.
/// </summary>
internal sealed class Message
{
    public MessageKind Kind { get; set; }

    /// <summary>Pairs a response with its request on one connection.</summary>
    public long CorrelationId { get; set; }

    /// <summary>The grain a request is for (<see cref="GrainId.SystemTarget"/> for silo control calls).</summary>
    public GrainId Target { get; set; }

    /// <summary>Stable id of the interface method (see <c>GrainMethod.Id</c>).</summary>
    public int MethodId { get; set; }

    /// <summary>The sender's membership view version.</summary>
    public long ViewVersion { get; set; }

    /// <summary>How many times a silo has already passed this request on; bounded to stop loops.</summary>
    public byte ForwardCount { get; set; }

    public ResponseStatus Status { get; set; }

    /// <summary>Serialized arguments (requests) or result / exception / snapshot (responses).</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    public static Message CreateResponse(Message request, ResponseStatus status, ReadOnlyMemory<byte> body, long viewVersion) => new()
    {
        Kind = MessageKind.Response,
        CorrelationId = request.CorrelationId,
        Target = request.Target,
        MethodId = request.MethodId,
        Status = status,
        Body = body,
        ViewVersion = viewVersion,
    };
}

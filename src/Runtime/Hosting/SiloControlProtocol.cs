using System.Buffers.Binary;
using FleaMarket.Runtime.Messaging;

namespace FleaMarket.Runtime.Hosting;

/// <summary>
/// Calls silos make to each other's control endpoint (<see cref="GrainId.SystemTarget"/>), outside any
/// grain: liveness probes, "have you adopted view V and handed off", and "the table changed" gossip.
/// </summary>
internal static class SiloControlProtocol
{
    /// <summary>Body: the probed silo's generation. Ok only if the receiver is that generation and still alive.</summary>
    public const int Ping = 1;

    /// <summary>Body: a view version. Ok once the receiver adopted it and released the grains it lost.</summary>
    public const int AwaitView = 2;

    /// <summary>One-way. Body: the table version just written; the receiver reads the table.</summary>
    public const int TableChanged = 3;

    /// <summary>Body: ignored. Ok with the receiver's membership snapshot (JSON): how clients learn the view through a gateway silo.</summary>
    public const int GetMembership = 4;

    /// <summary>Body: ignored. Ok with the receiver's <c>SiloStatistics</c> (JSON), for the dashboard.</summary>
    public const int GetStatistics = 5;

    public static Message Request(int method, long argument, long viewVersion, MessageKind kind = MessageKind.Request) => new()
    {
        Kind = kind,
        Target = GrainId.SystemTarget,
        MethodId = method,
        ViewVersion = viewVersion,
        Body = Encode(argument),
    };

    public static byte[] Encode(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        return bytes;
    }

    public static long Decode(ReadOnlyMemory<byte> body) =>
        body.Length == 8 ? BinaryPrimitives.ReadInt64LittleEndian(body.Span) : throw new FormatException("Control message body must be 8 bytes.");
}

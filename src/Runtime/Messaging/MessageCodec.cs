using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace FleaMarket.Runtime.Messaging;

/// <summary>
/// Binary framing of a <see cref="Message"/>, all integers little-endian:
/// <c>[int32 frameLength][byte kind][int64 correlationId][byte status][int64 viewVersion][byte forwardCount]
/// [int32 methodId][string target.Type][string target.Key][int32 bodyLength][body]</c>, a string being an
/// int32 byte length followed by UTF-8. <c>frameLength</c> counts the bytes after itself.
/// </summary>
internal static class MessageCodec
{
    private const int PrefixBytes = 4;

    // kind + correlationId + status + viewVersion + forwardCount + methodId.
    private const int FixedBytes = 1 + 8 + 1 + 8 + 1 + 4;

    /// <summary>The smallest valid frame after the length prefix: empty type, key and body.</summary>
    private const int MinFrameBytes = FixedBytes + 4 + 4 + 4;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The frame length (without the 4-byte prefix) <paramref name="message"/> encodes to.</summary>
    public static long GetFrameLength(Message message) =>
        (long)MinFrameBytes + Utf8.GetByteCount(message.Target.Type ?? "") + Utf8.GetByteCount(message.Target.Key ?? "") + message.Body.Length;

    /// <summary>Writes one frame carrying <paramref name="message"/> with its own correlation id.</summary>
    public static bool TryWrite(IBufferWriter<byte> writer, Message message, int maxFrameBytes) =>
        TryWrite(writer, message, message.CorrelationId, maxFrameBytes);

    /// <summary>
    /// Writes one frame carrying <paramref name="message"/> but <paramref name="correlationId"/>, so a connection
    /// can number a request without mutating a message the caller still holds. Writes nothing and returns false
    /// when the frame would exceed <paramref name="maxFrameBytes"/>.
    /// </summary>
    public static bool TryWrite(IBufferWriter<byte> writer, Message message, long correlationId, int maxFrameBytes)
    {
        var type = message.Target.Type ?? "";
        var key = message.Target.Key ?? "";
        var typeBytes = Utf8.GetByteCount(type);
        var keyBytes = Utf8.GetByteCount(key);
        var body = message.Body.Span;
        var frameLength = (long)MinFrameBytes + typeBytes + keyBytes + body.Length;
        if (frameLength > maxFrameBytes)
        {
            return false;
        }

        // Everything but the body goes into one span; the body is copied across as many segments as it needs.
        var headerBytes = PrefixBytes + FixedBytes + 4 + typeBytes + 4 + keyBytes + 4;
        var span = writer.GetSpan(headerBytes);
        BinaryPrimitives.WriteInt32LittleEndian(span, (int)frameLength);
        span[4] = (byte)message.Kind;
        BinaryPrimitives.WriteInt64LittleEndian(span[5..], correlationId);
        span[13] = (byte)message.Status;
        BinaryPrimitives.WriteInt64LittleEndian(span[14..], message.ViewVersion);
        span[22] = message.ForwardCount;
        BinaryPrimitives.WriteInt32LittleEndian(span[23..], message.MethodId);
        var at = PrefixBytes + FixedBytes;
        at = WriteString(span, at, type, typeBytes);
        at = WriteString(span, at, key, keyBytes);
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], body.Length);
        writer.Advance(headerBytes);
        if (!body.IsEmpty)
        {
            writer.Write(body);
        }

        return true;
    }

    /// <summary>
    /// Parses one frame from the front of <paramref name="buffer"/> and slices it off. Returns false, leaving the
    /// buffer as it was, while the frame is incomplete. Throws <see cref="InvalidDataException"/> on a frame longer
    /// than <paramref name="maxFrameBytes"/> or malformed: the stream cannot be resynchronised, so the connection must close.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxFrameBytes, [NotNullWhen(true)] out Message? message)
    {
        message = null;
        if (buffer.Length < PrefixBytes)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[PrefixBytes];
        buffer.Slice(0, PrefixBytes).CopyTo(prefix);
        var frameLength = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        if (frameLength < MinFrameBytes || frameLength > maxFrameBytes)
        {
            throw new InvalidDataException($"Frame length {frameLength} is outside the allowed range {MinFrameBytes}..{maxFrameBytes}.");
        }

        if (buffer.Length - PrefixBytes < frameLength)
        {
            return false;
        }

        var frame = buffer.Slice(PrefixBytes, frameLength);
        if (frame.IsSingleSegment)
        {
            message = Parse(frame.FirstSpan);
        }
        else
        {
            // A frame split across pipe segments is rare enough that one pooled copy beats a segment-aware parser.
            var rented = ArrayPool<byte>.Shared.Rent(frameLength);
            try
            {
                frame.CopyTo(rented);
                message = Parse(rented.AsSpan(0, frameLength));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        buffer = buffer.Slice(frame.End);
        return true;
    }

    private static int WriteString(Span<byte> span, int at, string value, int byteCount)
    {
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], byteCount);
        Utf8.GetBytes(value, span.Slice(at + 4, byteCount));
        return at + 4 + byteCount;
    }

    private static Message Parse(ReadOnlySpan<byte> frame)
    {
        var kind = (MessageKind)frame[0];
        if (kind is not (MessageKind.Request or MessageKind.OneWay or MessageKind.Response))
        {
            throw new InvalidDataException($"Unknown message kind {(byte)kind}.");
        }

        var status = (ResponseStatus)frame[9];
        if (status > ResponseStatus.Unavailable)
        {
            throw new InvalidDataException($"Unknown response status {(byte)status}.");
        }

        var at = FixedBytes;
        var type = ReadString(frame, ref at);
        var key = ReadString(frame, ref at);
        var body = ReadBytes(frame, ref at);
        if (at != frame.Length)
        {
            throw new InvalidDataException($"Frame has {frame.Length - at} bytes after the body.");
        }

        return new Message
        {
            Kind = kind,
            CorrelationId = BinaryPrimitives.ReadInt64LittleEndian(frame[1..]),
            Status = status,
            ViewVersion = BinaryPrimitives.ReadInt64LittleEndian(frame[10..]),
            ForwardCount = frame[18],
            MethodId = BinaryPrimitives.ReadInt32LittleEndian(frame[19..]),
            Target = new GrainId(type, key),
            // The pipe recycles its buffers, so the body gets its own array.
            Body = body.IsEmpty ? ReadOnlyMemory<byte>.Empty : body.ToArray(),
        };
    }

    private static string ReadString(ReadOnlySpan<byte> frame, ref int at)
    {
        var bytes = ReadBytes(frame, ref at);
        try
        {
            return bytes.IsEmpty ? "" : Utf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new InvalidDataException("A string in the frame is not valid UTF-8.", ex);
        }
    }

    private static ReadOnlySpan<byte> ReadBytes(ReadOnlySpan<byte> frame, ref int at)
    {
        if (frame.Length - at < 4)
        {
            throw new InvalidDataException("Frame ends inside a length field.");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(frame[at..]);
        at += 4;
        if (length < 0 || length > frame.Length - at)
        {
            throw new InvalidDataException($"Field length {length} overruns the frame.");
        }

        var bytes = frame.Slice(at, length);
        at += length;
        return bytes;
    }
}

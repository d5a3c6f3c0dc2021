using System.Buffers;
using System.Buffers.Text;

namespace FleaMarket.Runtime.Redis.Resp;

/// <summary>
/// Parses RESP2 replies from a byte sequence as it arrives. Works on the pipe's segments in place:
/// headers and integers are parsed from spans, only a reply's own payload (a string's bytes, an
/// array's element list) is allocated.
/// </summary>
internal static class RespParser
{
    private static ReadOnlySpan<byte> CrLf => "\r\n"u8;

    /// <summary>
    /// Reads one complete reply. Returns false if the data ends before the reply does; the reader's
    /// position is then meaningless and the caller resumes from where this reply started.
    /// </summary>
    /// <exception cref="RedisConnectionException">The bytes are not RESP2.</exception>
    public static bool TryRead(ref SequenceReader<byte> reader, out RedisReply reply)
    {
        reply = RedisReply.NilBulk;
        if (!reader.TryRead(out var type) || !reader.TryReadTo(out ReadOnlySequence<byte> line, CrLf)) return false;

        switch (type)
        {
            case (byte)'+':
                reply = RedisReply.SimpleString(line.ToArray());
                return true;
            case (byte)'-':
                reply = RedisReply.Error(line.ToArray());
                return true;
            case (byte)':':
                reply = RedisReply.FromInteger(ParseInteger(line));
                return true;
            case (byte)'$':
                return TryReadBulk(ref reader, ParseInteger(line), out reply);
            case (byte)'*':
                return TryReadArray(ref reader, ParseInteger(line), out reply);
            default:
                throw new RedisConnectionException($"Redis protocol error: unexpected reply type byte 0x{type:X2}.");
        }
    }

    private static bool TryReadBulk(ref SequenceReader<byte> reader, long length, out RedisReply reply)
    {
        reply = RedisReply.NilBulk;
        if (length == -1) return true;
        if (length is < 0 or > int.MaxValue) throw new RedisConnectionException($"Redis protocol error: bulk length {length}.");
        if (reader.Remaining < length + 2) return false;

        var bytes = new byte[length];
        reader.TryCopyTo(bytes);
        reader.Advance(length);
        if (!reader.IsNext(CrLf, advancePast: true)) throw new RedisConnectionException("Redis protocol error: bulk string not followed by CRLF.");
        reply = RedisReply.Bulk(bytes);
        return true;
    }

    private static bool TryReadArray(ref SequenceReader<byte> reader, long count, out RedisReply reply)
    {
        reply = RedisReply.NilArray;
        if (count == -1) return true;
        if (count is < 0 or > int.MaxValue) throw new RedisConnectionException($"Redis protocol error: array length {count}.");

        // Every element takes at least 3 bytes: bail out early instead of allocating for a header that
        // arrived long before its elements.
        if (reader.Remaining < count * 3) return false;
        var items = new RedisReply[count];
        for (var i = 0; i < items.Length; i++)
        {
            if (!TryRead(ref reader, out items[i])) return false;
        }

        reply = RedisReply.Array(items);
        return true;
    }

    private static long ParseInteger(ReadOnlySequence<byte> line)
    {
        Span<byte> copy = stackalloc byte[24];
        scoped ReadOnlySpan<byte> digits;
        if (line.IsSingleSegment)
        {
            digits = line.FirstSpan;
        }
        else if (line.Length <= copy.Length)
        {
            line.CopyTo(copy);
            digits = copy[..(int)line.Length];
        }
        else
        {
            throw new RedisConnectionException("Redis protocol error: integer too long.");
        }

        if (!Utf8Parser.TryParse(digits, out long value, out var consumed) || consumed != digits.Length)
        {
            throw new RedisConnectionException("Redis protocol error: malformed integer.");
        }

        return value;
    }
}

using System.Buffers;
using System.Buffers.Text;

namespace FleaMarket.Runtime.Redis.Resp;

/// <summary>Writes commands as RESP2 arrays of bulk strings, straight into the output buffer.</summary>
internal static class RespWriter
{
    private const int MaxHeaderLength = 1 + 20 + 2;

    public static void WriteCommand(IBufferWriter<byte> output, ReadOnlySpan<RedisValue> arguments)
    {
        WriteHeader(output, (byte)'*', arguments.Length);
        foreach (var argument in arguments)
        {
            var length = argument.ByteCount;
            WriteHeader(output, (byte)'$', length);
            var span = output.GetSpan(length + 2);
            var written = argument.WriteTo(span);
            span[written] = (byte)'\r';
            span[written + 1] = (byte)'\n';
            output.Advance(written + 2);
        }
    }

    private static void WriteHeader(IBufferWriter<byte> output, byte type, long count)
    {
        var span = output.GetSpan(MaxHeaderLength);
        span[0] = type;
        Utf8Formatter.TryFormat(count, span[1..], out var digits);
        span[1 + digits] = (byte)'\r';
        span[2 + digits] = (byte)'\n';
        output.Advance(3 + digits);
    }
}

using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace FleaMarket.Runtime.Redis.Resp;

/// <summary>
/// One argument of a command: text, an integer or raw bytes. Written straight into the output pipe
/// (UTF-8 or decimal digits), so building a command allocates no intermediate buffers.
/// </summary>
internal readonly struct RedisValue
{
    private readonly string? _text;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly long _integer;
    private readonly byte _kind; // 0 text, 1 integer, 2 bytes

    private RedisValue(string? text, ReadOnlyMemory<byte> bytes, long integer, byte kind)
    {
        _text = text;
        _bytes = bytes;
        _integer = integer;
        _kind = kind;
    }

    public static implicit operator RedisValue(string text) => new(text ?? throw new ArgumentNullException(nameof(text)), default, 0, 0);

    public static implicit operator RedisValue(long integer) => new(null, default, integer, 1);

    public static implicit operator RedisValue(byte[] bytes) => new(null, bytes, 0, 2);

    public static RedisValue FromString(string text) => text;

    public static RedisValue FromInt64(long integer) => integer;

    /// <summary>Bytes this argument takes on the wire (without the bulk header).</summary>
    public int ByteCount => _kind switch
    {
        0 => Encoding.UTF8.GetByteCount(_text!),
        1 => CountDigits(_integer),
        _ => _bytes.Length,
    };

    /// <summary>Writes the argument's bytes; <paramref name="destination"/> holds at least <see cref="ByteCount"/> bytes.</summary>
    public int WriteTo(Span<byte> destination)
    {
        switch (_kind)
        {
            case 0:
                return Encoding.UTF8.GetBytes(_text!, destination);
            case 1:
                Utf8Formatter.TryFormat(_integer, destination, out var written);
                return written;
            default:
                _bytes.Span.CopyTo(destination);
                return _bytes.Length;
        }
    }

    public override string ToString() => _kind switch
    {
        0 => _text!,
        1 => _integer.ToString(CultureInfo.InvariantCulture),
        _ => Encoding.UTF8.GetString(_bytes.Span),
    };

    private static int CountDigits(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var written);
        return written;
    }
}

using System.Globalization;
using System.Text;

namespace FleaMarket.Runtime.Redis.Resp;

/// <summary>The RESP2 reply types.</summary>
internal enum RedisReplyKind
{
    SimpleString,
    Error,
    Integer,
    BulkString,
    Array,
}

/// <summary>
/// One parsed RESP2 reply. Nil bulk strings and nil arrays keep their kind and have <see cref="IsNil"/> set,
/// because callers tell "no such field" (nil bulk) from "transaction aborted" (nil array) by kind.
/// </summary>
internal sealed class RedisReply
{
    public static readonly RedisReply NilBulk = new(RedisReplyKind.BulkString, null, 0, null);
    public static readonly RedisReply NilArray = new(RedisReplyKind.Array, null, 0, null);
    public static readonly RedisReply Ok = new(RedisReplyKind.SimpleString, "OK"u8.ToArray(), 0, null);
    public static readonly RedisReply EmptyArray = new(RedisReplyKind.Array, null, 0, []);

    private readonly byte[]? _bytes;
    private readonly RedisReply[]? _items;

    private RedisReply(RedisReplyKind kind, byte[]? bytes, long integer, RedisReply[]? items)
    {
        Kind = kind;
        _bytes = bytes;
        Integer = integer;
        _items = items;
    }

    public RedisReplyKind Kind { get; }

    /// <summary>The value of an integer reply.</summary>
    public long Integer { get; }

    public bool IsNil => Kind is RedisReplyKind.BulkString or RedisReplyKind.Array && _bytes is null && _items is null;

    /// <summary>Raw bytes of a simple string, error or bulk string; null for nil.</summary>
    public ReadOnlyMemory<byte>? Bytes => _bytes;

    /// <summary>Elements of an array reply; empty for nil.</summary>
    public IReadOnlyList<RedisReply> Items => _items ?? [];

    public static RedisReply SimpleString(byte[] text) => new(RedisReplyKind.SimpleString, text, 0, null);

    public static RedisReply Error(byte[] text) => new(RedisReplyKind.Error, text, 0, null);

    public static RedisReply FromInteger(long value) => new(RedisReplyKind.Integer, null, value, null);

    public static RedisReply Bulk(byte[] bytes) => new(RedisReplyKind.BulkString, bytes, 0, null);

    public static RedisReply Array(RedisReply[] items) => items.Length == 0 ? EmptyArray : new(RedisReplyKind.Array, null, 0, items);

    /// <summary>The text of a string or error reply (UTF-8), the digits of an integer reply, null for nil.</summary>
    public string? AsString() => Kind switch
    {
        RedisReplyKind.Integer => Integer.ToString(CultureInfo.InvariantCulture),
        RedisReplyKind.Array => throw new InvalidCastException("An array reply is not a string."),
        _ => _bytes is null ? null : Encoding.UTF8.GetString(_bytes),
    };

    /// <summary>An integer reply, or a string reply holding a decimal integer.</summary>
    public long AsInt64() => Kind == RedisReplyKind.Integer
        ? Integer
        : long.Parse(AsString() ?? throw new InvalidCastException("A nil reply is not an integer."), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    public override string ToString() => Kind switch
    {
        RedisReplyKind.Array => IsNil ? "(nil array)" : $"[{string.Join(", ", Items)}]",
        RedisReplyKind.Error => $"(error) {AsString()}",
        _ => AsString() ?? "(nil)",
    };
}

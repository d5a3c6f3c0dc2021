using System.Buffers;
using System.Text;
using FleaMarket.Runtime.Redis.Resp;

namespace FleaMarket.Runtime.Redis.Tests.Resp;

public sealed class RespParserTests
{
    private const string Nested = "*3\r\n$3\r\nfoo\r\n*2\r\n:42\r\n$-1\r\n*-1\r\n";

    [Fact]
    public void TryRead_NestedArray_ParsesEveryKind()
    {
        var reply = ParseWhole(Nested);

        Assert.Equal(RedisReplyKind.Array, reply.Kind);
        Assert.Equal("foo", reply.Items[0].AsString());
        Assert.Equal(42, reply.Items[1].Items[0].Integer);
        Assert.True(reply.Items[1].Items[1].IsNil);
        Assert.Equal(RedisReplyKind.Array, reply.Items[2].Kind);
        Assert.True(reply.Items[2].IsNil);
    }

    [Fact]
    public void TryRead_EveryPrefixOfAReply_IsIncomplete()
    {
        var bytes = Encoding.ASCII.GetBytes(Nested);
        for (var length = 0; length < bytes.Length; length++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, length));
            Assert.False(RespParser.TryRead(ref reader, out _), $"prefix of {length} bytes");
        }
    }

    [Fact]
    public void TryRead_ReplySplitAcrossOneByteSegments_Parses()
    {
        var reply = Parse(Segmented(Encoding.ASCII.GetBytes("*2\r\n$11\r\nhello world\r\n:-12345\r\n")));

        Assert.Equal("hello world", reply.Items[0].AsString());
        Assert.Equal(-12345, reply.Items[1].Integer);
    }

    [Fact]
    public void TryRead_UnknownTypeByte_ThrowsProtocolError()
    {
        Assert.Throws<RedisConnectionException>(() => ParseWhole("?oops\r\n"));
    }

    private static RedisReply ParseWhole(string text) => Parse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)));

    private static RedisReply Parse(ReadOnlySequence<byte> sequence)
    {
        var reader = new SequenceReader<byte>(sequence);
        Assert.True(RespParser.TryRead(ref reader, out var reply));
        Assert.True(reader.End);
        return reply;
    }

    private static ReadOnlySequence<byte> Segmented(byte[] bytes)
    {
        var first = new Segment(bytes.AsMemory(0, 1), 0);
        var last = first;
        for (var i = 1; i < bytes.Length; i++) last = last.Append(bytes.AsMemory(i, 1));
        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

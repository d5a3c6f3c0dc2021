using System.Buffers;
using FleaMarket.Runtime.Messaging;

namespace FleaMarket.Runtime.Tests.Transport;

public sealed class MessageCodecTests
{
    private const int Max = 1024 * 1024;

    [Fact]
    public void TryRead_WrittenFrame_RoundTripsEveryField()
    {
        var sent = new Message
        {
            Kind = MessageKind.Response,
            CorrelationId = long.MaxValue - 3,
            Status = ResponseStatus.Redirect,
            ViewVersion = 123_456_789_012,
            ForwardCount = 2,
            MethodId = -17,
            Target = GrainId.FromString("market", "Grüße 🛒"),
            Body = new byte[] { 1, 2, 3, 255 },
        };

        var buffer = new ReadOnlySequence<byte>(Encode(sent));

        Assert.True(MessageCodec.TryRead(ref buffer, Max, out var received));
        Assert.True(buffer.IsEmpty);
        Assert.Equal(sent.Kind, received.Kind);
        Assert.Equal(sent.CorrelationId, received.CorrelationId);
        Assert.Equal(sent.Status, received.Status);
        Assert.Equal(sent.ViewVersion, received.ViewVersion);
        Assert.Equal(sent.ForwardCount, received.ForwardCount);
        Assert.Equal(sent.MethodId, received.MethodId);
        Assert.Equal(sent.Target, received.Target);
        Assert.Equal(sent.Body.ToArray(), received.Body.ToArray());
    }

    [Fact]
    public void TryRead_DefaultGrainIdAndEmptyBody_ReadsEmptyStrings()
    {
        var buffer = new ReadOnlySequence<byte>(Encode(new Message { Kind = MessageKind.OneWay }));

        Assert.True(MessageCodec.TryRead(ref buffer, Max, out var received));
        Assert.Equal(new GrainId("", ""), received.Target);
        Assert.True(received.Body.IsEmpty);
    }

    [Fact]
    public void TryRead_FrameSplitAcrossManySegments_ParsesItAndTheNext()
    {
        var first = TransportTestKit.Request("split", Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray());
        var second = TransportTestKit.Request("next", [9]);
        var bytes = Encode(first).Concat(Encode(second)).ToArray();
        var buffer = Segmented(bytes, segmentLength: 3);

        Assert.True(MessageCodec.TryRead(ref buffer, Max, out var one));
        Assert.True(MessageCodec.TryRead(ref buffer, Max, out var two));
        Assert.False(MessageCodec.TryRead(ref buffer, Max, out _));
        Assert.Equal(first.Body.ToArray(), one.Body.ToArray());
        Assert.Equal("split", one.Target.Key);
        Assert.Equal("next", two.Target.Key);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void TryRead_IncompleteFrame_ReturnsFalseAndLeavesBuffer()
    {
        var bytes = Encode(TransportTestKit.Request("partial", [1, 2, 3]));
        for (var length = 0; length < bytes.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes, 0, length);

            Assert.False(MessageCodec.TryRead(ref buffer, Max, out _));
            Assert.Equal(length, buffer.Length);
        }
    }

    [Fact]
    public void TryRead_FrameOverMax_ThrowsInvalidData()
    {
        var bytes = Encode(TransportTestKit.Request("big", new byte[2000]));

        Assert.Throws<InvalidDataException>(() =>
        {
            // Only the length prefix has arrived: the frame is refused before its body is buffered.
            var buffer = new ReadOnlySequence<byte>(bytes, 0, 4);
            MessageCodec.TryRead(ref buffer, maxFrameBytes: 1024, out _);
        });
    }

    [Fact]
    public void TryRead_FieldLengthOverrunsFrame_ThrowsInvalidData()
    {
        var bytes = Encode(TransportTestKit.Request("bad"));
        bytes[4 + 23] = 200; // the type string's length, now longer than the frame

        Assert.Throws<InvalidDataException>(() =>
        {
            var buffer = new ReadOnlySequence<byte>(bytes);
            MessageCodec.TryRead(ref buffer, Max, out _);
        });
    }

    [Fact]
    public void TryWrite_FrameOverMax_WritesNothing()
    {
        var writer = new ArrayBufferWriter<byte>();

        Assert.False(MessageCodec.TryWrite(writer, TransportTestKit.Request("big", new byte[2000]), maxFrameBytes: 1024));
        Assert.Equal(0, writer.WrittenCount);
    }

    [Fact]
    public void GetFrameLength_Message_MatchesBytesWrittenAfterPrefix()
    {
        var message = TransportTestKit.Request("ключ", [1, 2, 3]);

        Assert.Equal(Encode(message).Length - 4, MessageCodec.GetFrameLength(message));
    }

    private static byte[] Encode(Message message)
    {
        var writer = new ArrayBufferWriter<byte>();
        Assert.True(MessageCodec.TryWrite(writer, message, Max));
        return writer.WrittenSpan.ToArray();
    }

    private static ReadOnlySequence<byte> Segmented(byte[] bytes, int segmentLength)
    {
        var first = new Segment(bytes.AsMemory(0, Math.Min(segmentLength, bytes.Length)), 0);
        var last = first;
        for (var at = segmentLength; at < bytes.Length; at += segmentLength)
        {
            last = last.Append(bytes.AsMemory(at, Math.Min(segmentLength, bytes.Length - at)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
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

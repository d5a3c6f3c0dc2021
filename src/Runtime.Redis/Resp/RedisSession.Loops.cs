using System.Buffers;
using System.Threading.Channels;

namespace FleaMarket.Runtime.Redis.Resp;

/// <summary>The write and read loops of a connection and what happens when one of them stops.</summary>
internal sealed partial class RedisSession
{
    private async Task RunAsync()
    {
        await Task.Yield();
        var writing = WriteLoopAsync();
        var reading = ReadLoopAsync();
        var first = await Task.WhenAny(writing, reading).ConfigureAwait(false);
        CloseReason = first.Exception?.GetBaseException() ?? new RedisConnectionException($"The connection to Redis at {_endpoint} was closed.");

        _handshake.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await Task.WhenAll(writing, reading).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            // Completing with the reason, not null: a clean completion would try to flush whatever the
            // write loop left in the pipe into the dead socket, and throw.
            await _input.CompleteAsync(CloseReason).ConfigureAwait(false);
            await _output.CompleteAsync(CloseReason).ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The socket is gone either way; what matters is that no command is left waiting below.
        }
        finally
        {
            FailEverythingTaken();
        }
    }

    private void FailEverythingTaken()
    {
        var failure = new RedisConnectionException(
            $"The connection to Redis at {_endpoint} closed while the command was in flight; it may or may not have run. Retry it. ({CloseReason?.Message})",
            CloseReason);
        while (_awaitingReply.TryDequeue(out var sent)) Fail(sent, failure);
        while (_handshake.Reader.TryRead(out var setup)) Fail(setup, failure);
    }

    private void Fail(PendingCommand command, Exception failure)
    {
        if (!command.IsAbandoned) FailedInFlight++;
        command.Fail(failure);
    }

    private async Task WriteLoopAsync()
    {
        await DrainAsync(_handshake.Reader).ConfigureAwait(false);
        if (_outboxOpen && !_stop.IsCancellationRequested) await DrainAsync(_outbox).ConfigureAwait(false);
    }

    private async Task DrainAsync(ChannelReader<PendingCommand> commands)
    {
        while (await commands.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
        {
            while (commands.TryRead(out var command))
            {
                if (!command.TryMarkWritten()) continue;

                // Queued before its bytes leave, so the reply can never arrive ahead of its command.
                _awaitingReply.Enqueue(command);
                RespWriter.WriteCommand(_output, command.Arguments);
                if (_output.UnflushedBytes >= FlushThreshold) await FlushAsync().ConfigureAwait(false);
            }

            await FlushAsync().ConfigureAwait(false);
        }
    }

    private async Task FlushAsync()
    {
        var result = await _output.FlushAsync(_stop.Token).ConfigureAwait(false);
        if (result.IsCompleted) throw new RedisConnectionException($"The connection to Redis at {_endpoint} was closed.");
    }

    private async Task ReadLoopAsync()
    {
        while (true)
        {
            var result = await _input.ReadAsync(_stop.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = ParseReplies(buffer);
            _input.AdvanceTo(consumed, buffer.End);
            if (result.IsCompleted) throw new RedisConnectionException($"Redis at {_endpoint} closed the connection.");
        }
    }

    private SequencePosition ParseReplies(ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        var consumed = buffer.Start;
        while (RespParser.TryRead(ref reader, out var reply))
        {
            consumed = reader.Position;
            if (!_awaitingReply.TryDequeue(out var command))
            {
                throw new RedisConnectionException($"Redis protocol error: a reply from {_endpoint} arrived with no command waiting for it.");
            }

            command.Complete(reply);
        }

        return consumed;
    }
}

using FleaMarket.Api.Problems;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace FleaMarket.Api.Operations;

/// <summary>
/// Refuses bodies over <see cref="ApiOptions.MaxRequestBodyBytes"/> with 413 problem details: at once when
/// Content-Length says so, and by counting the decoded body of a chunked request before it is routed.
/// </summary>
internal sealed class RequestBodyLimit(RequestDelegate next, IOptions<ApiOptions> options)
{
    // Chunks of one byte cost 5 bytes of framing each ("1\r\nX\r\n").
    private const int FramingAllowance = 8;

    public async Task InvokeAsync(HttpContext context)
    {
        var limit = options.Value.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            await TooLarge(context, limit);
            return;
        }

        var chunked = context.Request.ContentLength is null && context.Request.Headers.TransferEncoding.Count > 0;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            // The limit is on the body as sent, not on its chunk framing (a 64 KiB body in small chunks is
            // still 64 KiB); the server's own cap on the raw bytes stays, with room for that framing.
            feature.MaxRequestBodySize = chunked ? limit * FramingAllowance : limit;
        }

        if (chunked)
        {
            // A chunked body is measured before routing, so routes that never read a body refuse it too.
            context.Request.Body = new LimitedReadStream(context.Request.Body, limit);
            context.Request.EnableBuffering(bufferThreshold: (int)Math.Min(limit, 64 * 1024), bufferLimit: limit + 1);
            try
            {
                await context.Request.Body.DrainAsync(context.RequestAborted);
            }
            catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await TooLarge(context, limit);
                return;
            }
            catch (BadHttpRequestException)
            {
                await Problem.Validation("body", "The chunked body is malformed.").ExecuteAsync(context);
                return;
            }

            context.Request.Body.Position = 0;
        }

        await next(context);
    }

    internal static Task TooLarge(HttpContext context, long limit) =>
        Problem.Of(413, ProblemCodes.PayloadTooLarge, "The request body is too large.", $"Bodies are limited to {limit} bytes.").ExecuteAsync(context);
}

/// <summary>A body stream that fails like the server does (413) once more than the limit has been read.</summary>
internal sealed class LimitedReadStream(Stream inner, long limit) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int read)
    {
        _read += read;
        if (_read > limit) throw new BadHttpRequestException($"Request body over {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
        return read;
    }
}

using FleaMarket.Api.Problems;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace FleaMarket.Api.Operations;

/// <summary>
/// Refuses bodies over <see cref="ApiOptions.MaxRequestBodyBytes"/> with 413 problem details: at once when
/// Content-Length says so, and through the server's body-size limit for chunked bodies.
/// </summary>
internal sealed class RequestBodyLimit(RequestDelegate next, IOptions<ApiOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limit = options.Value.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            await TooLarge(context, limit);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = limit;
        if (context.Request.ContentLength is null && context.Request.Headers.TransferEncoding.Count > 0)
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
            catch (IOException)
            {
                await TooLarge(context, limit);
                return;
            }

            context.Request.Body.Position = 0;
        }

        if (!CharsetIsUtf8(context.Request.ContentType))
        {
            await Problem.Of(415, ProblemCodes.UnsupportedMediaType, "Unsupported charset.", "Request bodies must be UTF-8 JSON.").ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    /// <summary>True unless the Content-Type names a charset other than UTF-8 (the JSON reader would fail on it).</summary>
    private static bool CharsetIsUtf8(string? contentType) =>
        contentType is null
        || !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        || mediaType.Charset.Value is null
        || mediaType.Charset.Value.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase)
        || mediaType.Charset.Value.Trim('"').Equals("utf8", StringComparison.OrdinalIgnoreCase);

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

using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace FleaMarket.Api.Tests.BadInput;

/// <summary>Bodies over 64 KiB, announced by Content-Length or sent chunked: 413 at every route.</summary>
internal static class OversizedBodyCases
{
    public const string Group = "oversized";
    private const int KiB = 1024;

    public static IEnumerable<BadRequest> All()
    {
        foreach (var endpoint in Endpoints.All)
        {
            yield return TooLarge(endpoint, "65 KiB with Content-Length", w => new StringContent(Padded(endpoint, w, 65 * KiB), Encoding.UTF8, "application/json"));
            yield return TooLarge(endpoint, "64 KiB + 1 byte with Content-Length", w => new StringContent(Padded(endpoint, w, (64 * KiB) + 1), Encoding.UTF8, "application/json"));
            yield return TooLarge(endpoint, "65 KiB of garbage with Content-Length", _ => new StringContent(new string('{', 65 * KiB), Encoding.UTF8, "application/json"));
            yield return TooLarge(endpoint, "65 KiB chunked", w => Chunked(Padded(endpoint, w, 65 * KiB)));
            yield return TooLarge(endpoint, "1 MiB chunked", w => Chunked(Padded(endpoint, w, 1024 * KiB)));
            yield return TooLarge(endpoint, "65 KiB of garbage chunked", _ => Chunked(new string('[', 65 * KiB)));
        }
    }

    private static BadRequest TooLarge(Endpoint endpoint, string label, Func<World, HttpContent> content) =>
        new(Group, $"{endpoint.Name}: {label}", w => endpoint.WithBody(w, content(w)), HttpStatusCode.RequestEntityTooLarge, "payload-too-large");

    /// <summary>The route's valid body (or an empty object) with an ignored padding field, to exactly <paramref name="bytes"/> bytes.</summary>
    private static string Padded(Endpoint endpoint, World world, int bytes)
    {
        var fields = endpoint.ValidFields?.Invoke(world) ?? [];
        fields["padding"] = "\"\"";
        var json = Endpoint.Object(fields);
        return json[..^2] + new string('a', bytes - json.Length) + "\"}";
    }

    private static StreamContent Chunked(string json)
    {
        var content = new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>A stream of unknown length, so the client sends no Content-Length.</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

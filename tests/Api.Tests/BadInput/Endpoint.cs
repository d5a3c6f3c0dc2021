using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FleaMarket.Api.Tests.BadInput;

/// <summary>Who sends a request.</summary>
internal enum Caller
{
    Nobody,
    Seller,
    Buyer,
}

/// <summary>What a body field holds, which decides the bad values thrown at it.</summary>
internal enum FieldKind
{
    Text,
    Username,
    Count,
    Timestamp,
}

/// <summary>A body field with the limits api.md gives it.</summary>
internal sealed record Field(string Name, FieldKind Kind, bool Required, int Min = 0, long Max = 0);

/// <summary>One route of api.md and how to build a request to it that would succeed, so a case can spoil one thing.</summary>
internal sealed record Endpoint(
    string Name, HttpMethod Method, Func<World, string> Path, Caller Caller, bool NeedsIdempotencyKey = false,
    Func<World, Dictionary<string, string>>? ValidFields = null, IReadOnlyList<Field>? Fields = null)
{
    private static readonly JsonSerializerOptions Raw = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public bool TakesBody => ValidFields is not null;

    /// <summary>A JSON string literal; non-ASCII text (emoji too) stays unescaped so length limits, not the body limit, are what a case hits.</summary>
    public static string Quote(string value) =>
        value.Any(c => c is '"' or '\\' or < ' ')
            ? JsonSerializer.Serialize(value, Raw)
            : $"\"{value}\"";

    /// <summary>The request with the caller's token, the idempotency key and, when the route takes one, the valid body.</summary>
    public HttpRequestMessage Request(World world)
    {
        var request = new HttpRequestMessage(Method, Path(world));
        var token = Caller switch
        {
            Caller.Seller => world.Seller.Token,
            Caller.Buyer => world.Buyer.Token,
            _ => null,
        };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (NeedsIdempotencyKey) request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        if (ValidFields is not null) request.Content = Json(Object(ValidFields(world)));
        return request;
    }

    /// <summary>The valid request with the body's fields edited (a value replaced by raw JSON text, or removed).</summary>
    public HttpRequestMessage WithFields(World world, Action<Dictionary<string, string>> edit)
    {
        var request = Request(world);
        var fields = ValidFields!(world);
        edit(fields);
        request.Content = Json(Object(fields));
        return request;
    }

    /// <summary>The valid request with the whole body replaced.</summary>
    public HttpRequestMessage WithBody(World world, HttpContent? content)
    {
        var request = Request(world);
        request.Content = content;
        return request;
    }

    public static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    public static string Object(IEnumerable<KeyValuePair<string, string>> fields) =>
        "{" + string.Join(",", fields.Select(f => $"{Quote(f.Key)}:{f.Value}")) + "}";

    public override string ToString() => Name;
}

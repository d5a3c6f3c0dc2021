using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using static FleaMarket.Api.Tests.BadInput.Endpoint;

namespace FleaMarket.Api.Tests.BadInput;

/// <summary>Bad bodies: malformed JSON, wrong content types, and for every field wrong types, out-of-range numbers, bad lengths and bad Unicode.</summary>
internal static class BodyCases
{
    /// <summary>Man, woman, girl joined by zero-width joiners: eight UTF-16 units, one user-perceived character.</summary>
    public const string Family = "\U0001F468\u200D\U0001F469\u200D\U0001F467";

    public static IEnumerable<BadRequest> All()
    {
        foreach (var endpoint in Endpoints.WithBody)
        {
            foreach (var row in Malformed(endpoint)) yield return row;
            foreach (var field in endpoint.Fields!)
            {
                foreach (var (label, json) in BadValues(field))
                {
                    yield return BadRequest.Validation(endpoint, $"{field.Name} {label}", w => endpoint.WithFields(w, f => f[field.Name] = json));
                }

                if (field.Required) yield return BadRequest.Validation(endpoint, $"{field.Name} missing", w => endpoint.WithFields(w, f => f.Remove(field.Name)));
            }
        }
    }

    private static IEnumerable<BadRequest> Malformed(Endpoint e)
    {
        string Valid(World w) => Object(e.ValidFields!(w));
        (string, Func<World, string>)[] bodies =
        [
            ("json truncated", _ => "{"),
            ("json array", _ => "[]"),
            ("json null", _ => "null"),
            ("empty body", _ => ""),
            ("whitespace body", _ => "   "),
            ("empty object", _ => "{}"),
            ("json string", _ => "\"text\""),
            ("json number", _ => "42"),
            ("missing value", _ => """{"a":}"""),
            ("extra closing brace", w => Valid(w) + "}"),
            ("second document", w => Valid(w) + Valid(w)),
            ("trailing comma", w => Valid(w)[..^1] + ",}"),
            ("single quotes", w => Valid(w).Replace('"', '\'')),
            ("comment", w => "/* hi */" + Valid(w)),
            ("NaN literal", w => Valid(w)[..^1] + ",\"n\":NaN}"),
            ("valid body in an array", w => "[" + Valid(w) + "]"),
            ("nesting 1000 deep", w => Valid(w)[..^1] + ",\"deep\":" + new string('[', 1000) + new string(']', 1000) + "}"),
            ("duplicate property last one wrong type", w => Valid(w)[..^1] + $",{Quote(e.Fields![0].Name)}:{{}}}}"),
            // Two copies of a key: a proxy or a log may read the first, the API the last. Refused, not resolved.
            ("duplicate property same value", w => Valid(w)[..^1] + $",{Quote(e.Fields![0].Name)}:{e.ValidFields!(w)[e.Fields![0].Name]}}}"),
            ("duplicate property other case", w => Valid(w)[..^1] + $",{Quote(char.ToUpperInvariant(e.Fields![0].Name[0]) + e.Fields![0].Name[1..])}:{e.ValidFields!(w)[e.Fields![0].Name]}}}"),
            ("NUL byte", _ => "\0"),
        ];
        foreach (var (label, body) in bodies)
        {
            yield return BadRequest.Validation(e, label, w => e.WithBody(w, Json(body(w))));
        }

        yield return BadRequest.Validation(e, "invalid UTF-8 in a string", w =>
        {
            var text = Valid(w);
            var quote = text.IndexOf("\":\"", StringComparison.Ordinal);
            var bytes = quote < 0
                ? [.. "{\""u8.ToArray(), 0xFF, 0xFE, .. "\":1}"u8.ToArray()]
                : Encoding.UTF8.GetBytes(text[..(quote + 3)]).Concat(new byte[] { 0xC3, 0x28, 0xFF }).Concat(Encoding.UTF8.GetBytes(text[(quote + 3)..])).ToArray();
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return e.WithBody(w, content);
        });

        (string, Func<World, HttpContent?>)[] mediaTypes =
        [
            ("content type text/plain", w => new StringContent(Valid(w), Encoding.UTF8, "text/plain")),
            ("content type application/xml", w => new StringContent("<quantity>1</quantity>", Encoding.UTF8, "application/xml")),
            ("content type form", w => new FormUrlEncodedContent([new("quantity", "1"), new("title", "Lamp")])),
            ("no content type", w => new ByteArrayContent(Encoding.UTF8.GetBytes(Valid(w)))),
            ("charset latin1", w => WithContentType(Json(Valid(w)), "application/json; charset=iso-8859-1")),
            ("charset us-ascii", w => WithContentType(Json(Valid(w)), "application/json; charset=us-ascii")),
            ("charset quoted utf-16", w => WithContentType(Json(Valid(w)), "application/json; charset=\"UTF-16\"")),
            ("charset utf-7", w => WithContentType(Json(Valid(w)), "application/json; charset=utf-7")),
            ("charset empty", w => WithContentType(Json(Valid(w)), "application/json; charset=")),
            ("charset empty quotes", w => WithContentType(Json(Valid(w)), "application/json; charset=\"\"")),
            ("unknown charset", w =>
            {
                var content = Json(Valid(w));
                content.Headers.ContentType!.CharSet = "no-such-charset";
                return content;
            }),

            // JSON travels as UTF-8 (RFC 8259 §8.1): any other declared charset is refused before reading.
            ("UTF-16 charset", w =>
            {
                var content = Json(Valid(w));
                content.Headers.ContentType!.CharSet = "utf-16";
                return content;
            }),
        ];
        foreach (var (label, content) in mediaTypes)
        {
            yield return new BadRequest(e.Name, $"{e.Name}: {label}", w => e.WithBody(w, content(w)), HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        }
    }

    /// <summary>The content with a Content-Type header taken as sent, unchecked by the client library.</summary>
    public static HttpContent WithContentType(HttpContent content, string contentType)
    {
        content.Headers.Remove("Content-Type");
        Assert.True(content.Headers.TryAddWithoutValidation("Content-Type", contentType));
        return content;
    }

    private static IEnumerable<(string Label, string Json)> BadValues(Field field)
    {
        if (field.Required) yield return ("null", "null");
        switch (field.Kind)
        {
            case FieldKind.Text:
                foreach (var value in WrongTypesForString) yield return ($"wrong type {value}", value);
                yield return ($"{field.Max + 1} chars", Quote(new string('a', (int)field.Max + 1)));
                if (field.Min > 0) yield return ($"{field.Min - 1} chars", Quote(new string('a', field.Min - 1)));
                yield return ($"{field.Max + 1} ZWJ emoji", Quote(string.Concat(Enumerable.Repeat(Family, (int)field.Max + 1))));
                foreach (var c in "\u0000\u0001\u0007\u001b\u007f\u0085\u009f") yield return ($"control U+{(int)c:X4}", Quote("Valid text" + c));
                foreach (var (label, escaped) in LoneSurrogates) yield return (label, $"\"Valid text{escaped}\"");
                if (field.Name == "displayName") yield return ("blank", Quote("   "));
                if (field.Name is "displayName" or "title" or "password")
                {
                    foreach (var (label, value) in Invisible) yield return (label, Quote(value));
                }

                if (field.Name is "displayName" or "title") yield return ("RTL override", Quote("Lamp \u202Eevil"));
                break;
            case FieldKind.Username:
                foreach (var value in WrongTypesForString) yield return ($"wrong type {value}", value);
                foreach (var (label, value) in BadUsernames) yield return (label, Quote(value));
                foreach (var (label, escaped) in LoneSurrogates) yield return (label, $"\"valid{escaped}name\"");
                break;
            case FieldKind.Count:
                foreach (var value in WrongNumbers) yield return ($"number {value}", value);
                yield return ($"number {field.Min - 1}", (field.Min - 1).ToString(CultureInfo.InvariantCulture));
                yield return ($"number {field.Max + 1}", (field.Max + 1).ToString(CultureInfo.InvariantCulture));
                break;
            case FieldKind.Timestamp:
                foreach (var value in BadTimestamps) yield return ($"timestamp {value}", value);
                if (field.Name == "opensAt")
                {
                    // The year is checked in UTC, wherever the offset puts the local date.
                    yield return ("timestamp 1999 in UTC at +14:00", "\"2000-01-01T05:00:00+14:00\"");
                    yield return ("timestamp 9001 in UTC at -14:00", "\"9000-12-31T23:00:00-14:00\"");
                    yield return ("timestamp year 9001", "\"9001-01-01T00:00:00Z\"");
                    yield return ("timestamp 9999-12-31", "\"9999-12-31T23:59:59Z\"");
                }
                else
                {
                    yield return ("timestamp before opensAt", "\"2001-01-01T00:00:00Z\"");
                }

                break;
        }
    }

    private static readonly string[] WrongTypesForString = ["123", "true", "{}", "[]", """{"text":"Lamp"}""", """["Lamp"]"""];

    private static readonly string[] WrongNumbers =
    [
        "\"5\"", "\"five\"", "true", "{}", "[]", "[1]", "1.5", "0.0", "1e400", "-1e400", "9223372036854775808", "-9223372036854775809",
        "123456789012345678901234567890", "2147483648", "-2147483649", "-1", "-0",
    ];

    private static readonly string[] BadTimestamps =
    [
        "\"not a date\"", "\"\"", "123", "true", "{}", "\"2030-13-01T00:00:00Z\"", "\"2030-02-30T10:00:00Z\"", "\"2030-01-01T25:00:00Z\"",
        "\"2030-01-01T00:00:00+25:00\"", "\"9999-12-31T23:59:59-01:00\"", "\"0001-01-01T00:00:00+01:00\"", "\"0001-01-01T00:00:00Z\"",
        "\"1999-12-31T23:59:59Z\"",
        // Without an offset the instant depends on the server's time zone.
        "\"2030-01-01T10:00:00\"", "\"2030-01-01T10:00:00.000\"", "\"2030-01-01\"", "\"2030-01-01T10:00\"",
    ];

    /// <summary>Names and passwords nobody can see or type: only spaces, format characters, or letters that render blank.</summary>
    private static readonly (string, string)[] Invisible =
    [
        ("only zero-width spaces", "\u200B\u200B\u200B\u200B\u200B\u200B\u200B\u200B"),
        ("only bidi marks", "\u200E\u200F\u200E\u200F\u200E\u200F\u200E\u200F"),
        ("only Hangul fillers", "\u3164\u3164\u3164\u3164\u3164\u3164\u3164\u3164"),
        ("only braille blanks", "\u2800\u2800\u2800\u2800\u2800\u2800\u2800\u2800"),
        ("only word joiners and spaces", "\u2060 \u2060 \u2060 \u2060 \uFEFF"),
    ];

    private static readonly (string, string)[] LoneSurrogates =
    [
        ("lone high surrogate", "\\ud800"), ("lone low surrogate", "\\udc00"), ("reversed surrogate pair", "\\udc00\\ud800"), ("high surrogate before text", "\\udbffx"),
    ];

    private static readonly (string, string)[] BadUsernames =
    [
        ("2 chars", "ab"), ("33 chars", new string('a', 33)), ("space", "has space"), ("RTL mark", "abc\u200Fdef"),
        ("RTL override", "\u202Eabcdef"), ("fullwidth letters", "\uFF41\uFF42\uFF43\uFF44"), ("sharp s", "stra\u00DFe"),
        ("NUL", "abc\u0000def"), ("ZWJ", "ab\u200Dcd"), ("slash", "ab/cd"), ("Kelvin sign", "\u212Aelvin"),
        ("dotted capital I", "\u0130stanbul"), ("emoji", "abc" + Family), ("at sign", "me@example.com"), ("empty", ""),
    ];
}

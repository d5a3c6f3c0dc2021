using System.Text.Json;
using System.Text.Json.Serialization;

namespace FleaMarket.Api.Validation;

/// <summary>
/// Reads request timestamps as ISO 8601 with an explicit offset ("Z" or "+02:00"). Without one the moment is
/// ambiguous: the framework would read it in the server's time zone, so the same body would open a market at
/// different instants on differently configured nodes. Writes as the framework does.
/// </summary>
internal sealed class TimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("A timestamp must be an ISO 8601 string.");
        var text = reader.GetString()!;
        if (!HasOffset(text)) throw new JsonException("A timestamp must carry an offset: 'Z' or '+hh:mm'.");
        if (!reader.TryGetDateTimeOffset(out var value)) throw new JsonException("Not an ISO 8601 timestamp.");
        return value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);

    private static bool HasOffset(string text)
    {
        if (text.EndsWith('Z') || text.EndsWith('z')) return true;
        // "...T10:00:00+02:00" or "-0530": the sign sits after the time of day, which starts at the 'T'.
        var time = text.IndexOfAny(['T', 't']);
        return time > 0 && text.AsSpan(time).IndexOfAny('+', '-') > 0;
    }
}

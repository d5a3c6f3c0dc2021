using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using FleaMarket.Runtime.Membership;

namespace FleaMarket.Runtime.Redis.Membership;

/// <summary>
/// A membership row as stored in its hash field (JSON). Times are fixed-width UTC text, so the Lua
/// scripts compare them as strings and rewrite the I-am-alive time in place; the silo address is text,
/// so no 64-bit generation passes through Lua's doubles.
/// </summary>
internal sealed record RedisMembershipRow(
    [property: JsonPropertyName("silo")] string Silo,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("alive")] string IAmAlive,
    [property: JsonPropertyName("start")] string Start,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("suspects")] RedisSuspectRow[] Suspects)
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.General);

    public static string Serialize(MembershipEntry entry)
    {
        var row = new RedisMembershipRow(
            entry.Silo.ToString(),
            (int)entry.Status,
            FormatTime(entry.IAmAliveTime),
            FormatTime(entry.StartTime),
            entry.SiloName,
            [.. entry.Suspects.Select(v => new RedisSuspectRow(v.Voter.ToString(), FormatTime(v.Time)))]);
        return JsonSerializer.Serialize(row, s_json);
    }

    public static MembershipEntry Deserialize(string json)
    {
        var row = JsonSerializer.Deserialize<RedisMembershipRow>(json, s_json)
            ?? throw new JsonException("A membership row is JSON null.");
        return new MembershipEntry(SiloAddress.Parse(row.Silo), (SiloStatus)row.Status, row.Name, ParseTime(row.Start), ParseTime(row.IAmAlive))
        {
            Suspects = [.. (row.Suspects ?? []).Select(v => new SuspectVote(SiloAddress.Parse(v.Voter), ParseTime(v.Time)))],
        };
    }

    /// <summary>UTC with 100 ns precision and a fixed width: text order is time order.</summary>
    public static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}

/// <summary>A suspect vote as stored inside a row.</summary>
internal sealed record RedisSuspectRow(
    [property: JsonPropertyName("voter")] string Voter,
    [property: JsonPropertyName("time")] string Time);

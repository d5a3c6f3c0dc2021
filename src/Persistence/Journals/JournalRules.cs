using System.Globalization;
using System.Text.Json;
using Orleans.Storage;

namespace FleaMarket.Persistence.Journals;

/// <summary>What every journal engine does the same way: argument checks, the event format, the conflict error.</summary>
internal static class JournalRules
{
    /// <summary>The longest tag: a tag names one thing (a user id), not a document.</summary>
    public const int MaxTagLength = 200;

    public static void CheckAppend<TEvent>(string journalName, string streamId, long expectedLength, IReadOnlyList<TEvent> events, IReadOnlyCollection<string>? tags)
    {
        CheckStream(journalName, streamId);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedLength);
        ArgumentNullException.ThrowIfNull(events);
        if (tags is null) return;
        foreach (var tag in tags) CheckTag(tag);
    }

    public static void CheckFind(string journalName, string tag)
    {
        ArgumentException.ThrowIfNullOrEmpty(journalName);
        CheckTag(tag);
    }

    public static void CheckTag(string tag)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        if (tag.Length > MaxTagLength) throw new ArgumentOutOfRangeException(nameof(tag), tag.Length, $"A tag is at most {MaxTagLength} characters.");
    }

    /// <summary>The distinct tags of an append, in a stable order (so concurrent appends insert them in the same order).</summary>
    public static string[] Distinct(IReadOnlyCollection<string>? tags) => tags is null or { Count: 0 } ? [] : [.. tags.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public static void CheckRead(string journalName, string streamId, long afterPosition, int maxCount)
    {
        CheckStream(journalName, streamId);
        ArgumentOutOfRangeException.ThrowIfNegative(afterPosition);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
    }

    public static void CheckStream(string journalName, string streamId)
    {
        ArgumentException.ThrowIfNullOrEmpty(journalName);
        ArgumentException.ThrowIfNullOrEmpty(streamId);
    }

    // Default System.Text.Json options on purpose: the stored format must not change with a host's settings.
    public static byte[] Serialize<TEvent>(TEvent value) => JsonSerializer.SerializeToUtf8Bytes(value);

    public static TEvent Deserialize<TEvent>(ReadOnlySpan<byte> utf8Json) => JsonSerializer.Deserialize<TEvent>(utf8Json)!;

    public static TEvent Deserialize<TEvent>(string json) => JsonSerializer.Deserialize<TEvent>(json)!;

    /// <summary>The error of a lost compare-and-swap; <paramref name="actual"/> is null when the engine only knows the length differs.</summary>
    public static InconsistentStateException Conflict(string journalName, string streamId, long expected, long? actual) => new(
        $"Journal '{journalName}' stream '{streamId}' holds {(actual is { } a ? a.ToString(CultureInfo.InvariantCulture) : "a different number of")} events, "
        + $"not the {expected} the writer expected; nothing was appended.",
        actual?.ToString(CultureInfo.InvariantCulture),
        expected.ToString(CultureInfo.InvariantCulture));

    public static string Describe(string journalName, string streamId) => $"journal '{journalName}' stream '{streamId}'";

    public static string DescribeTagged(string journalName, string tag) => $"the streams of journal '{journalName}' tagged '{tag}'";
}

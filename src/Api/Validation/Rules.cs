using System.Buffers;
using System.Globalization;
using System.Text;

namespace FleaMarket.Api.Validation;

/// <summary>Collects field errors for a request, checked before any grain call.</summary>
internal sealed class Rules
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public IDictionary<string, string[]> Errors => _errors;

    public void Add(string field, string message) =>
        _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

    /// <summary>A required text of <paramref name="min"/>..<paramref name="max"/> characters (counted as text elements, so emoji count once), without control characters.</summary>
    public void Text(string field, string? value, int min, int max, bool required = true)
    {
        if (value is null)
        {
            if (required) Add(field, "Required.");
            return;
        }

        var length = new StringInfo(value).LengthInTextElements;
        if (length < min || length > max) Add(field, $"Must be {min} to {max} characters.");
        if (value.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t')) Add(field, "Must not contain control characters.");
        if (HasLoneSurrogate(value)) Add(field, "Must be valid Unicode text.");
    }

    /// <summary>
    /// A name or a password someone has to see or type: at least one visible character (not only spaces, format
    /// characters such as U+200B, or blank-looking letters such as U+3164), and, for names, no bidirectional
    /// overrides, which make a name read differently from what it is.
    /// </summary>
    public void Visible(string field, string? value, bool isName)
    {
        if (value is null) return;
        if (!value.EnumerateRunes().Any(IsVisible)) Add(field, "Must contain visible characters.");
        if (isName && value.AsSpan().IndexOfAny(BidiOverrides) >= 0) Add(field, "Must not contain bidirectional override characters.");
    }

    public void Range(string field, long? value, long min, long max, bool required = true)
    {
        if (value is null)
        {
            if (required) Add(field, "Required.");
            return;
        }

        if (value < min || value > max) Add(field, $"Must be between {min} and {max}.");
    }

    // Left-to-right and right-to-left overrides reorder what follows them; embeddings, isolates and marks, which
    // right-to-left names need, stay allowed.
    private static readonly SearchValues<char> BidiOverrides =
        SearchValues.Create("\u202D\u202E");

    private static bool IsVisible(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => false,
        // Letters and symbols that render as blanks: Hangul fillers, the braille blank, the combining grapheme joiner.
        _ => rune.Value is not (0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800 or 0x034F),
    };

    private static bool HasLoneSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1])) return true;
                i++;
            }
            else if (char.IsLowSurrogate(value[i]))
            {
                return true;
            }
        }

        return false;
    }
}

using System.Globalization;

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

    public void Range(string field, long? value, long min, long max, bool required = true)
    {
        if (value is null)
        {
            if (required) Add(field, "Required.");
            return;
        }

        if (value < min || value > max) Add(field, $"Must be between {min} and {max}.");
    }

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

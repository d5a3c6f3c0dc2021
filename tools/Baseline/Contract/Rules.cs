namespace FleaMarket.Baseline.Contract;

/// <summary>Collects field errors of a request; checked before any database call, with api.md's limits.</summary>
internal sealed class Rules
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public IDictionary<string, string[]> Errors => _errors;

    public void Add(string field, string message) =>
        _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

    public void Text(string field, string? value, int min, int max, bool required = true)
    {
        if (value is null)
        {
            if (required) Add(field, "Required.");
            return;
        }

        if (value.Length < min || value.Length > max) Add(field, $"Must be {min} to {max} characters.");
        if (value.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t')) Add(field, "Must not contain control characters.");
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

    public void Username(string? username)
    {
        if (username is null) Add("username", "Required.");
        else if (username.Length is < 3 or > 32 || !username.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
        {
            Add("username", "Must be 3 to 32 characters of a-z, 0-9, '_', '.' and '-'.");
        }
    }
}

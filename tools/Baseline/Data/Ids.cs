namespace FleaMarket.Baseline.Data;

/// <summary>Ids of the same shape as FleaMarket's: a kind prefix and 32 hex digits.</summary>
internal static class Ids
{
    public static string New(string prefix) => $"{prefix}{Guid.NewGuid():N}";

    public static bool Is(string id, string prefix) =>
        id.Length == prefix.Length + 32 && id.StartsWith(prefix, StringComparison.Ordinal)
        && !id.AsSpan(prefix.Length).ContainsAnyExcept("0123456789abcdef");
}

using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace FleaMarket.Silo.Admin;

/// <summary>Who may open the dashboard, and what it shows (configuration section "Dashboard").</summary>
internal sealed class DashboardAccessOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>Header that carries the access key (the alternative is the <c>key</c> query parameter).</summary>
    public const string KeyHeader = "X-Dashboard-Key";

    /// <summary>
    /// When set, /dashboard, its API and /metrics require this key as <c>?key=</c> or the X-Dashboard-Key header
    /// (on /dashboard also the cookie a valid <c>?key=</c> sets there)
    /// and answer 401 otherwise; health probes stay open. Default: none (the admin port is on loopback).
    /// </summary>
    public string? AccessKey { get; set; }

    /// <summary>
    /// Whether the dashboard's Log Stream page streams this silo's log lines. Default false (its endpoint answers
    /// 403): log lines name grains by id, and a user grain's id is the username, so the stream would show who
    /// logs in. The process's own log output is unaffected.
    /// </summary>
    public bool LogStream { get; set; }

    /// <summary>Whether a key is configured at all.</summary>
    public bool RequiresKey => !string.IsNullOrEmpty(AccessKey);

    /// <summary>
    /// The dashboard cookie's value: an HMAC of a fixed label under the key, so the browser keeps a token that
    /// opens the dashboard only, never the key itself (which also opens /metrics). Null when no key is set.
    /// </summary>
    public string? CookieToken => RequiresKey
        ? Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(AccessKey!), "FleaMarket dashboard cookie v1"u8))
        : null;

    /// <summary>Throws naming the setting when the key is unusable.</summary>
    public void Validate()
    {
        if (!string.IsNullOrEmpty(AccessKey) && AccessKey.Trim().Length < 8)
        {
            throw new InvalidOperationException("Dashboard:AccessKey must be at least 8 characters (or unset for no key).");
        }
    }

    /// <summary>Whether <paramref name="candidate"/> is the key; compared in constant time so timing reveals nothing.</summary>
    public bool Accepts(string? candidate) => !RequiresKey || FixedTimeEquals(candidate, AccessKey!);

    /// <summary>Whether <paramref name="candidate"/> is the dashboard cookie's token, compared in constant time.</summary>
    public bool AcceptsCookie(string? candidate) => !RequiresKey || FixedTimeEquals(candidate, CookieToken!);

    private static bool FixedTimeEquals(string? candidate, string expected) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(candidate)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}

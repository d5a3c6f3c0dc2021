using System.Security.Cryptography;
using System.Text;

namespace FleaMarket.Silo.Admin;

/// <summary>Who may open the dashboard (configuration section "Dashboard").</summary>
internal sealed class DashboardAccessOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>Header that carries the access key (the alternative is the <c>key</c> query parameter).</summary>
    public const string KeyHeader = "X-Dashboard-Key";

    /// <summary>
    /// When set, /dashboard, its API and /metrics require this key as <c>?key=</c> or the X-Dashboard-Key header
    /// and answer 401 otherwise; health probes stay open. Default: none (the admin port is on loopback).
    /// </summary>
    public string? AccessKey { get; set; }

    /// <summary>Throws naming the setting when the key is unusable.</summary>
    public void Validate()
    {
        if (!string.IsNullOrEmpty(AccessKey) && AccessKey.Trim().Length < 8)
        {
            throw new InvalidOperationException("Dashboard:AccessKey must be at least 8 characters (or unset for no key).");
        }
    }

    /// <summary>Whether <paramref name="candidate"/> is the key; compared in constant time so timing reveals nothing.</summary>
    public bool Accepts(string? candidate)
    {
        if (string.IsNullOrEmpty(AccessKey)) return true;
        if (candidate is null) return false;
        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(candidate)), SHA256.HashData(Encoding.UTF8.GetBytes(AccessKey)));
    }
}

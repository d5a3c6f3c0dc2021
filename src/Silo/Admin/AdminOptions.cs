namespace FleaMarket.Silo.Admin;

/// <summary>
/// The silo's admin endpoint (configuration section "Admin"): Orleans' dashboard, /metrics and health probes
/// on a port of its own, so the API port can face the load balancer while this one stays on loopback.
/// </summary>
internal sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>Whether the admin endpoint runs. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Where the admin endpoint listens, ';'-separated like ASP.NET Core's Urls. Default http://127.0.0.1:8081
    /// (loopback only: set Dashboard:AccessKey before binding it to another interface).
    /// </summary>
    public string Urls { get; set; } = "http://127.0.0.1:8081";

    /// <summary>The configured URLs, split and trimmed.</summary>
    public IReadOnlyList<string> UrlList =>
        Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Throws naming the setting when the URLs cannot be bound.</summary>
    public void Validate()
    {
        if (!Enabled) return;
        if (UrlList.Count == 0) throw new InvalidOperationException("Admin:Urls is empty; set it (e.g. http://127.0.0.1:8081) or set Admin:Enabled=false.");
        foreach (var url in UrlList)
        {
            if (!Uri.TryCreate(url.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                || uri.Scheme is not ("http" or "https"))
            {
                throw new InvalidOperationException($"Admin:Urls has '{url}', which is not an absolute http(s) URL.");
            }
        }
    }

    /// <summary>The ports of the configured URLs (80/443 when a URL names none).</summary>
    public IEnumerable<int> Ports => UrlList.Select(url => new Uri(url.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal)).Port);

    /// <summary>True when every URL binds a loopback address (or localhost).</summary>
    public bool IsLoopbackOnly => UrlList.All(url =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.IsLoopback || uri.Host == "localhost"));
}

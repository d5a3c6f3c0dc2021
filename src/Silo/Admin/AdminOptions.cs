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
    /// (loopback only). An address beyond loopback (0.0.0.0, *, a host name, another IP) needs Dashboard:AccessKey:
    /// without it the silo refuses to start.
    /// </summary>
    public string Urls { get; set; } = "http://127.0.0.1:8081";

    /// <summary>
    /// The Host headers the admin port answers, ';'-separated like ASP.NET Core's AllowedHosts: names or addresses
    /// without port (any port matches), <c>*.example.com</c> for subdomains, <c>*</c> for any. Other hosts get 400,
    /// so a web page whose name is made to resolve to this machine (DNS rebinding) cannot read the admin port.
    /// Default <c>localhost;127.0.0.1;[::1]</c>. The API port is not checked by this.
    /// </summary>
    public string AllowedHosts { get; set; } = "localhost;127.0.0.1;[::1]";

    /// <summary>The configured URLs, split and trimmed.</summary>
    public IReadOnlyList<string> UrlList => Split(Urls);

    /// <summary>The allowed hosts, split and trimmed.</summary>
    public IReadOnlyList<string> AllowedHostList => Split(AllowedHosts);

    /// <summary>
    /// Whether any Host header passes: ASP.NET Core's host filtering reads <c>*</c>, <c>0.0.0.0</c> and <c>[::]</c>
    /// as "no filtering".
    /// </summary>
    public bool AllowsAnyHost => AllowedHostList.Any(host => host is "*" or "0.0.0.0" or "[::]");

    /// <summary>The ports of the configured URLs (80/443 when a URL names none).</summary>
    public IEnumerable<int> Ports => UrlList.Select(url => new Uri(Bindable(url)).Port);

    /// <summary>Throws naming the setting when the URLs cannot be bound or a host pattern can never match.</summary>
    public void Validate()
    {
        if (!Enabled) return;
        if (UrlList.Count == 0) throw new InvalidOperationException("Admin:Urls is empty; set it (e.g. http://127.0.0.1:8081) or set Admin:Enabled=false.");
        foreach (var url in UrlList)
        {
            if (!Uri.TryCreate(Bindable(url), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new InvalidOperationException($"Admin:Urls has '{url}', which is not an absolute http(s) URL.");
            }
        }

        if (AllowedHostList.Count == 0) throw new InvalidOperationException("Admin:AllowedHosts is empty; set it (default localhost;127.0.0.1;[::1]) or * for any host.");
        foreach (var host in AllowedHostList)
        {
            if (!IsHostPattern(host))
            {
                throw new InvalidOperationException(
                    $"Admin:AllowedHosts has '{host}', which is not a host name, an IPv4 address, a bracketed IPv6 address, *.domain or *: no scheme, port or path.");
            }
        }
    }

    /// <summary>
    /// Throws naming the settings when the admin endpoint would listen beyond loopback without
    /// Dashboard:AccessKey: the dashboard (cluster topology, grain state on request) and /metrics would be open to
    /// anyone who reaches the port.
    /// </summary>
    public void RequireAccessKeyBeyondLoopback(DashboardAccessOptions access)
    {
        if (!Enabled || access.RequiresKey) return;
        if (UrlList.FirstOrDefault(url => !IsLoopback(url)) is { } exposed)
        {
            throw new InvalidOperationException(
                $"Admin:Urls has '{exposed}', which listens beyond loopback, and Dashboard:AccessKey is not set: the dashboard and /metrics "
                + "would be open to the network. Set Dashboard:AccessKey (at least 8 characters), or bind Admin:Urls to 127.0.0.1, [::1] or localhost.");
        }
    }

    /// <summary>Kestrel reads localhost as both loopback addresses, and any other host name as every interface.</summary>
    private static bool IsLoopback(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsLoopback;

    private static bool IsHostPattern(string host)
    {
        if (host == "*") return true;
        if (host.StartsWith('[') && host.EndsWith(']')) return Uri.CheckHostName(host[1..^1]) == UriHostNameType.IPv6;
        var name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
        return Uri.CheckHostName(name) is UriHostNameType.Dns or UriHostNameType.IPv4;
    }

    /// <summary>Kestrel's wildcard hosts (<c>*</c>, <c>+</c>) as an address <see cref="Uri"/> parses.</summary>
    private static string Bindable(string url) =>
        url.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal);

    private static string[] Split(string value) => value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

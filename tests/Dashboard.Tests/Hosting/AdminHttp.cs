using System.Net;

namespace FleaMarket.Dashboard.Tests.Hosting;

/// <summary>
/// A plain HTTP client for the tests: no cookie jar and no redirects followed, so every test sees exactly what
/// the silo answers and sends exactly the credentials it names.
/// </summary>
internal static class AdminHttp
{
    public static HttpClient Client { get; } = new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>GET <paramref name="path"/> on <paramref name="baseUrl"/> with optional headers.</summary>
    public static async Task<HttpResponseMessage> GetAsync(Uri baseUrl, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, path));
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase)) request.Headers.Host = value;
            else request.Headers.Add(name, value);
        }

        return await Client.SendAsync(request);
    }

    public static async Task<HttpStatusCode> StatusAsync(Uri baseUrl, string path, params (string Name, string Value)[] headers)
    {
        using var response = await GetAsync(baseUrl, path, headers);
        return response.StatusCode;
    }
}

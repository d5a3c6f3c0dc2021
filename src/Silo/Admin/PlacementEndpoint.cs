using System.Text;

namespace FleaMarket.Silo.Admin;

/// <summary>
/// <c>GET /placement</c> on the admin port: the grains active on this silo, one <c>grainType&lt;TAB&gt;key</c> line
/// each (<c>?type=listing&amp;type=session</c> narrows it to those types). The chaos drop snapshots every silo's
/// list just before a fault, to tell buyers whose grains lived on the faulted silo from those whose did not.
/// </summary>
/// <remarks>
/// Keys name users (a user grain's key is the username; an account's is the user id), so the list is admin-only:
/// <see cref="AdminGate"/> answers 404 on any other port and asks for Dashboard:AccessKey when one is set, as for
/// /metrics. Session keys are hashes of the tokens, never tokens. Orleans' own system grains are left out.
/// </remarks>
internal static class PlacementEndpoint
{
    public const string Path = "/placement";

    public static IEndpointConventionBuilder MapFleaMarketPlacement(this IEndpointRouteBuilder app) =>
        app.MapGet(Path, ListAsync)
            .WithName("Placement")
            .WithSummary("The grains active on this silo (admin port only)")
            .ExcludeFromDescription();

    private static async Task<IResult> ListAsync(HttpContext context, IGrainFactory grains, ILocalSiloDetails silo)
    {
        var types = context.Request.Query["type"].Where(t => !string.IsNullOrEmpty(t)).ToHashSet(StringComparer.Ordinal);
        // Asked for this silo only, so a hung or dead peer cannot delay the answer: callers ask every silo themselves.
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(hostsIds: [silo.SiloAddress]);
        var lines = new List<string>(statistics.Length);
        foreach (var grain in statistics)
        {
            var type = grain.GrainId.Type.ToString();
            if (type is null || !IsApplicationGrain(type) || (types.Count > 0 && !types.Contains(type))) continue;
            lines.Add($"{type}\t{grain.GrainId.Key}");
        }

        lines.Sort(StringComparer.Ordinal);
        var text = new StringBuilder(lines.Count * 48);
        foreach (var line in lines) text.Append(line).Append('\n');
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Text(text.ToString(), "text/tab-separated-values; charset=utf-8");
    }

    // The same cut as the cluster scripts' activation counts: Orleans' system grains and the dashboard's are not ours.
    private static bool IsApplicationGrain(string type) =>
        !type.StartsWith("sys.", StringComparison.Ordinal) && type is not ("dashboard" or "management");
}

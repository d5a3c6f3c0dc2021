using System.Net;

namespace FleaMarket.Api.Tests.BadInput;

/// <summary>Route ids of every shape but the one the service hands out: always 404 <c>not-found</c>, never a grain error.</summary>
internal static class RouteCases
{
    public const string Group = "routes";

    public static IEnumerable<BadRequest> All()
    {
        (string, Func<string, string>)[] ids =
        [
            ("one char", _ => "x"),
            ("3000 chars", _ => new string('a', 3000)),
            ("upper-case hex", id => id.ToUpperInvariant()),
            ("wrong prefix", id => "x" + id[1..]),
            ("one digit short", id => id[..^1]),
            ("one digit long", id => id + "0"),
            ("non-hex digits", id => id[..2] + new string('g', 32)),
            // %00 is left out: the in-memory test server refuses to send it (Kestrel answers 400 before the app).
            ("escaped control char", id => id[..^1] + "%01"),
            ("escaped emoji", id => id[..^2] + "%F0%9F%98%80"),
            ("escaped newline", id => id + "%0A"),
            ("escaped space", id => "%20" + id),
            ("escaped slash", id => id[..^1] + "%2F"),
            ("unknown id", id => id[..2] + "0123456789abcdef0123456789abcdef"),
        ];
        foreach (var (endpoint, pathWithId) in Endpoints.WithRouteId)
        {
            foreach (var (label, spoil) in ids)
            {
                yield return new BadRequest(Group, $"{endpoint.Name}: route id {label}", w =>
                {
                    var valid = endpoint.Request(w);
                    var id = endpoint == Endpoints.UserMarkets ? w.Seller.UserId
                        : endpoint == Endpoints.GetListing || endpoint == Endpoints.Purchase ? w.ListingId
                        : w.MarketId;
                    valid.RequestUri = new Uri(pathWithId(spoil(id)), UriKind.Relative);
                    return valid;
                }, HttpStatusCode.NotFound, "not-found");
            }
        }
    }
}

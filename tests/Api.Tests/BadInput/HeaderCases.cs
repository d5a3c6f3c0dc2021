using System.Net;

namespace FleaMarket.Api.Tests.BadInput;

/// <summary>Missing, spoiled and duplicated Authorization and Idempotency-Key headers.</summary>
internal static class HeaderCases
{
    public const string Group = "headers";

    public static IEnumerable<BadRequest> All()
    {
        (string, Func<string, string[]>)[] authorizations =
        [
            ("Bearer without token", _ => ["Bearer"]),
            ("Bearer and blanks", _ => ["Bearer    "]),
            ("empty Authorization", _ => [""]),
            ("two Authorization headers", token => [$"Bearer {token}", $"Bearer {token}"]),
            ("token with an extra char", token => [$"Bearer {token}x"]),
            ("token missing a char", token => [$"Bearer {token[..^1]}"]),
            ("other scheme", token => [$"Token {token}"]),
            ("Basic scheme", _ => ["Basic dXNlcjpjb3JyZWN0IGhvcnNl"]),
            ("non-ASCII token", _ => ["Bearer " + new string('\u00E9', 43)]),
            ("token of another shape", _ => ["Bearer " + new string('A', 42) + "="]),
            ("two tokens in one header", token => [$"Bearer {token}, Bearer {token}"]),
        ];
        foreach (var endpoint in Endpoints.Authenticated)
        {
            foreach (var (label, values) in authorizations)
            {
                yield return new BadRequest(Group, $"{endpoint.Name}: {label}", w =>
                {
                    var request = endpoint.Request(w);
                    var token = request.Headers.Authorization!.Parameter!;
                    request.Headers.Authorization = null;
                    Assert.True(request.Headers.TryAddWithoutValidation("Authorization", values(token)));
                    return request;
                }, HttpStatusCode.Unauthorized, "unauthorized");
            }
        }

        var purchase = Endpoints.Purchase;
        (string, string[]?)[] keys =
        [
            ("no Idempotency-Key", null),
            ("two different Idempotency-Keys", ["key-a", "key-b"]),
            ("two equal Idempotency-Keys", ["key-a", "key-a"]),
            ("empty Idempotency-Key", [""]),
            ("129-char Idempotency-Key", [new string('k', 129)]),
            ("Idempotency-Key with a space", ["key a"]),
            ("non-ASCII Idempotency-Key", ["cl\u00E9"]),
        ];
        foreach (var (label, values) in keys)
        {
            yield return BadRequest.Validation(purchase, label, w =>
            {
                var request = purchase.Request(w);
                request.Headers.Remove("Idempotency-Key");
                if (values is not null) Assert.True(request.Headers.TryAddWithoutValidation("Idempotency-Key", values));
                return request;
            }) with { Group = Group };
        }
    }
}

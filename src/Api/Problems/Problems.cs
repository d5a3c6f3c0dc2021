using Microsoft.AspNetCore.Http.HttpResults;

namespace FleaMarket.Api.Problems;

/// <summary>The problem types of the HTTP contract (api.md): the last segment of each problem's <c>type</c>.</summary>
public static class ProblemCodes
{
    public const string BaseUri = "https://fleamarket.dev/problems/";
    public const string Validation = "validation";
    public const string UsernameTaken = "username-taken";
    public const string InvalidCredentials = "invalid-credentials";
    public const string RateLimited = "rate-limited";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not-found";
    public const string NotOpen = "not-open";
    public const string SoldOut = "sold-out";
    public const string LimitExceeded = "limit-exceeded";
    public const string Closed = "closed";
    public const string IdempotencyKeyReused = "idempotency-key-reused";
    public const string PayloadTooLarge = "payload-too-large";
    public const string Unavailable = "unavailable";
    public const string MethodNotAllowed = "method-not-allowed";
    public const string UnsupportedMediaType = "unsupported-media-type";
    public const string Internal = "internal";

    public static string Uri(string code) => BaseUri + code;

    /// <summary>The code used for a bare status (framework-generated errors such as 404 for an unknown route).</summary>
    public static string ForStatus(int status) => status switch
    {
        400 => Validation,
        401 => Unauthorized,
        403 => Forbidden,
        404 => NotFound,
        405 => MethodNotAllowed,
        413 => PayloadTooLarge,
        415 => UnsupportedMediaType,
        429 => RateLimited,
        503 => Unavailable,
        _ => Internal,
    };
}

/// <summary>Problem details results with the contract's type codes.</summary>
public static class Problem
{
    public static ProblemHttpResult Of(int status, string code, string title, string? detail = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, type: ProblemCodes.Uri(code));

    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors)
    {
        var problem = new Microsoft.AspNetCore.Http.HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is not valid.",
            Type = ProblemCodes.Uri(ProblemCodes.Validation),
        };
        return TypedResults.Problem(problem);
    }

    public static ProblemHttpResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult NotFound(string what) => Of(404, ProblemCodes.NotFound, $"{what} was not found.");

    public static ProblemHttpResult Forbidden(string detail) => Of(403, ProblemCodes.Forbidden, "Not allowed.", detail);
}

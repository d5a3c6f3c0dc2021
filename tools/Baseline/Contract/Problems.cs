using Microsoft.AspNetCore.Http.HttpResults;

namespace FleaMarket.Baseline.Contract;

/// <summary>Problem details with FleaMarket's problem type URIs, so the load tool reads both services alike.</summary>
internal static class Problems
{
    public const string BaseUri = "https://fleamarket.dev/problems/";

    public static string Uri(string code) => BaseUri + code;

    public static string ForStatus(int status) => status switch
    {
        400 => "validation",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not-found",
        405 => "method-not-allowed",
        413 => "payload-too-large",
        415 => "unsupported-media-type",
        503 => "unavailable",
        _ => "internal",
    };

    public static ProblemHttpResult Of(int status, string code, string title) =>
        TypedResults.Problem(statusCode: status, title: title, type: Uri(code));

    public static ProblemHttpResult NotFound(string what) => Of(404, "not-found", $"{what} was not found.");

    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is not valid.",
            Type = Uri("validation"),
        });
}

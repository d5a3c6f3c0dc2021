using FleaMarket.Api.Listings;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using Microsoft.Extensions.Options;

namespace FleaMarket.Api.Operations;

/// <summary>
/// The OpenAPI document as a contract (api.md): the bearer scheme on every route that needs a token, the
/// Idempotency-Key header on purchases, and every problem response a route can give. The responses every route
/// of a kind shares are added here from the endpoint's own metadata (authorization, rate limiting, a body);
/// each route declares the ones that are its own (404, 403, 409…).
/// </summary>
internal static class OpenApiContract
{
    private const string BearerScheme = "bearer";
    private static readonly string[] ProblemContent = ["application/problem+json"];

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, context, _) =>
        {
            // Not from the request's Host or X-Forwarded-Proto: anyone can send those, and a document that
            // names the attacker's server would send "try it" clients there.
            var publicUrl = context.ApplicationServices.GetRequiredService<IOptions<ApiOptions>>().Value.PublicUrl;
            document.Servers = publicUrl is null ? [] : [new OpenApiServer { Url = publicUrl.ToString().TrimEnd('/') }];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The token from POST /api/sessions: Authorization: Bearer <token>.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<IAuthorizeData>().Any())
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
            }

            if (metadata.OfType<IdempotencyKeyMetadata>().Any())
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = ListingsApi.IdempotencyKeyHeader,
                    In = ParameterLocation.Header,
                    Required = true,
                    Description = "1 to 128 visible ASCII characters; a retry with the same key and body returns the same order.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 128 },
                });
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>Adds the problem responses a route has by its kind: 401 with a token, 429 with a rate limit, 400/413/415 with a body, 503 always.</summary>
    public static void AddSharedProblems(EndpointBuilder endpoint)
    {
        var metadata = endpoint.Metadata;
        var statuses = new List<int> { StatusCodes.Status503ServiceUnavailable };
        if (metadata.OfType<IAuthorizeData>().Any()) statuses.Add(StatusCodes.Status401Unauthorized);
        if (metadata.OfType<EnableRateLimitingAttribute>().Any()) statuses.Add(StatusCodes.Status429TooManyRequests);
        if (metadata.OfType<IAcceptsMetadata>().Any())
        {
            statuses.AddRange([StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType]);
        }

        var declared = metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).ToHashSet();
        foreach (var status in statuses.Where(declared.Add))
        {
            metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ProblemContent));
        }
    }
}

/// <summary>Marks a route that takes the Idempotency-Key header.</summary>
internal sealed class IdempotencyKeyMetadata;

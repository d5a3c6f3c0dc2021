using FleaMarket.Api.Auth;
using FleaMarket.Api.Limits;
using FleaMarket.Api.Problems;
using FleaMarket.Api.Validation;
using FleaMarket.Grains;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FleaMarket.Api.Users;

/// <summary>Registration, sessions and the signed-in user.</summary>
internal static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/users", Register).WithName("RegisterUser").WithSummary("Registers a user.").RequireRateLimiting(RateLimits.Registration)
            .ProducesProblem(StatusCodes.Status409Conflict);
        app.MapPost("/api/sessions", CreateSession).WithName("CreateSession").WithSummary("Logs in and returns a bearer token.")
            .RequireRateLimiting(RateLimits.Login).ProducesProblem(StatusCodes.Status401Unauthorized);
        app.MapGet("/api/users/{userId}", GetUser).WithName("GetUser").WithSummary("A user's public profile.").RequireRateLimiting(RateLimits.Read)
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/api/sessions/current", CurrentSession).WithName("GetCurrentSession").WithSummary("The session of this token and when it expires.")
            .RequireAuthorization();
        app.MapDelete("/api/sessions/current", EndSession).WithName("EndSession").WithSummary("Logs out everywhere this token is used.")
            .RequireAuthorization();
        app.MapGet("/api/me", Me).WithName("GetMe").WithSummary("The signed-in user.").RequireAuthorization();
        return app;
    }

    private static async Task<Results<Created<UserResponse>, ProblemHttpResult>> Register(RegisterUserRequest request, IGrainFactory grains)
    {
        var rules = request.Validate();
        if (!rules.IsValid) return Problem.Validation(rules.Errors);
        var username = Usernames.Normalize(request.Username!);
        var profile = await grains.Reference<IUserGrain>(username).Register(username, request.Password!, request.DisplayName!);
        if (profile is null) return Problem.Of(409, ProblemCodes.UsernameTaken, "That username is taken.");
        return TypedResults.Created($"/api/users/{profile.UserId}", new UserResponse(profile.UserId, profile.Username, profile.DisplayName));
    }

    private static async Task<Results<Created<SessionResponse>, ProblemHttpResult>> CreateSession(
        CreateSessionRequest request, HttpContext context, IGrainFactory grains, LoginFailureLimiter failures, IOptions<ApiOptions> options)
    {
        var rules = request.Validate();
        if (!rules.IsValid) return Problem.Validation(rules.Errors);
        var username = Usernames.Normalize(request.Username!);
        var address = ClientAddress.Of(context);
        if (failures.Refusal(username, address) is { } retryAfter)
        {
            return RateLimits.TooMany(context, retryAfter, "Too many wrong passwords for this user; try again later.");
        }

        var profile = await grains.Reference<IUserGrain>(username).VerifyPassword(request.Password!);
        if (profile is null)
        {
            failures.RecordFailure(username, address);
            return Problem.Of(401, ProblemCodes.InvalidCredentials, "Wrong username or password.");
        }

        var token = SessionTokens.NewToken();
        var expiresAt = await grains.Reference<ISessionGrain>(SessionTokens.SessionKey(token)).Start(profile, options.Value.SessionExpiry);
        // A bearer token must not be kept by any cache between the client and here.
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created("/api/sessions/current", new SessionResponse(token, profile.UserId, expiresAt.ToUniversalTime()));
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetUser(string userId, IGrainFactory grains)
    {
        if (!Ids.IsUser(userId)) return Problem.NotFound("User");
        var profile = await grains.Reference<IAccountGrain>(userId).GetProfile();
        return profile is null ? Problem.NotFound("User") : TypedResults.Ok(new UserResponse(profile.UserId, profile.Username, profile.DisplayName));
    }

    private static async Task<Results<Ok<CurrentSessionResponse>, ProblemHttpResult>> CurrentSession(HttpContext context, IGrainFactory grains)
    {
        // Ended or expired between authentication and this read: the same answer as for a dead token.
        var expiresAt = await grains.Reference<ISessionGrain>(context.User.SessionKey()).GetExpiry();
        return expiresAt is { } at
            ? TypedResults.Ok(new CurrentSessionResponse(context.User.UserId(), at.ToUniversalTime()))
            : Problem.Of(401, ProblemCodes.Unauthorized, "A valid bearer token is required.");
    }

    private static async Task<NoContent> EndSession(HttpContext context, IGrainFactory grains, SessionCache sessions)
    {
        // The grain revokes the session on every node; this node forgets it itself too, whatever reaches it.
        await grains.Reference<ISessionGrain>(context.User.SessionKey()).End();
        sessions.Remove(context.User.SessionKey());
        return TypedResults.NoContent();
    }

    private static Ok<UserResponse> Me(HttpContext context)
    {
        var profile = context.User.Profile();
        return TypedResults.Ok(new UserResponse(profile.UserId, profile.Username, profile.DisplayName));
    }
}

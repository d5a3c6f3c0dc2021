using System.Security.Claims;
using System.Text.Encodings.Web;
using FleaMarket.Api.Operations;
using FleaMarket.Api.Problems;
using FleaMarket.Grains;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace FleaMarket.Api.Auth;

/// <summary>
/// Resolves <c>Authorization: Bearer &lt;token&gt;</c> through the session grain, so any API node accepts any
/// live token and a logout through one node is seen by all of them at once; a session confirmed live in the last
/// few seconds is taken from this node's <see cref="SessionCache"/>, which a logout anywhere revokes.
/// </summary>
internal sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IGrainFactory grains,
    SessionCache cache,
    SessionRevocationSubscription subscription,
    GrainCallRetry retry) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Session";
    public const string UserIdClaim = "user_id";
    public const string SessionKeyClaim = "session_key";

    /// <summary>The challenge of every 401 (RFC 6750): the scheme a client must use.</summary>
    public const string Challenge = "Bearer realm=\"fleamarket\"";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var headers = Request.Headers.Authorization;
        if (headers.Count == 0) return AuthenticateResult.NoResult();
        if (headers.Count > 1) return AuthenticateResult.Fail("More than one Authorization header.");
        var value = headers[0] ?? "";
        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.Fail("Not a bearer token.");
        var token = value["Bearer ".Length..].Trim();
        if (!SessionTokens.LooksValid(token)) return AuthenticateResult.Fail("Malformed token.");

        var sessionKey = SessionTokens.SessionKey(token);
        // The cache serves only while revocations reach this node; otherwise every request asks the grain.
        var user = subscription.Registered ? cache.Find(sessionKey) : null;
        if (user is null)
        {
            var session = grains.Reference<ISessionGrain>(sessionKey);
            user = await retry.RunAsync("authenticate", session.Authenticate, Context);
            if (user is null) return AuthenticateResult.Fail("Unknown, expired or ended session.");
            if (subscription.Registered) cache.Add(sessionKey, user);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(UserIdClaim, user.UserId),
                new Claim(ClaimTypes.Name, user.Username),
                new Claim(ClaimTypes.GivenName, user.DisplayName),
                new Claim(SessionKeyClaim, sessionKey),
            ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // A token was sent but is not (or no longer) valid: say so, so a client knows to log in again (RFC 6750 §3.1).
        Response.Headers.WWWAuthenticate = Request.Headers.Authorization.Count > 0 ? Challenge + ", error=\"invalid_token\"" : Challenge;
        var problem = Problem.Of(401, ProblemCodes.Unauthorized, "A valid bearer token is required.");
        await problem.ExecuteAsync(Context);
    }
}

/// <summary>The signed-in user of a request.</summary>
internal static class CurrentUser
{
    public static UserProfile Profile(this ClaimsPrincipal user) => new(
        user.FindFirstValue(SessionAuthenticationHandler.UserIdClaim)!,
        user.FindFirstValue(ClaimTypes.Name)!,
        user.FindFirstValue(ClaimTypes.GivenName)!);

    public static string UserId(this ClaimsPrincipal user) => user.FindFirstValue(SessionAuthenticationHandler.UserIdClaim)!;

    public static string SessionKey(this ClaimsPrincipal user) => user.FindFirstValue(SessionAuthenticationHandler.SessionKeyClaim)!;
}

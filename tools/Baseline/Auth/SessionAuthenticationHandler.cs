using System.Security.Claims;
using System.Text.Encodings.Web;
using FleaMarket.Baseline.Contract;
using FleaMarket.Baseline.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FleaMarket.Baseline.Auth;

/// <summary>
/// Bearer sessions looked up in PostgreSQL on every request: the stateless design pays one query per call. The
/// sliding expiry is written only once half the lifetime has passed, so a busy buyer does not write per request.
/// </summary>
internal sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions, ILoggerFactory logger, UrlEncoder encoder,
    NpgsqlDataSource dataSource, IOptions<BaselineOptions> options, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "Session";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var token = header["Bearer ".Length..].Trim();
        if (!SessionTokens.LooksValid(token)) return AuthenticateResult.Fail("Malformed token.");

        var hash = SessionTokens.Hash(token);
        await using var command = dataSource.CreateCommand("SELECT user_id, expires_at FROM sessions WHERE token_hash = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = hash });
        string userId;
        DateTimeOffset expiresAt;
        await using (var reader = await command.ExecuteReaderAsync(Context.RequestAborted).ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(Context.RequestAborted).ConfigureAwait(false)) return AuthenticateResult.Fail("Unknown token.");
            userId = reader.GetString(0);
            expiresAt = reader.GetFieldValue<DateTimeOffset>(1);
        }

        var now = clock.GetUtcNow();
        if (expiresAt <= now) return AuthenticateResult.Fail("Expired token.");
        var expiry = options.Value.SessionExpiry;
        if (expiresAt - now < expiry / 2)
        {
            await using var slide = dataSource.CreateCommand("UPDATE sessions SET expires_at = $2 WHERE token_hash = $1");
            slide.Parameters.Add(new NpgsqlParameter { Value = hash });
            slide.Parameters.Add(new NpgsqlParameter { Value = now + expiry });
            await slide.ExecuteNonQueryAsync(Context.RequestAborted).ConfigureAwait(false);
        }

        var identity = new ClaimsIdentity([new Claim(SessionTokens.UserIdClaim, userId)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Problems.Of(401, "unauthorized", "Sign in first: a valid bearer token is required.").ExecuteAsync(Context);
}

using FleaMarket.Baseline.Auth;
using FleaMarket.Baseline.Contract;
using FleaMarket.Baseline.Data;
using FleaMarket.Baseline.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FleaMarket.Baseline.Users;

/// <summary>Registration and sessions.</summary>
internal static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/users", Register).WithName("RegisterUser").WithSummary("Registers a user.");
        app.MapPost("/api/sessions", CreateSession).WithName("CreateSession").WithSummary("Logs in and returns a bearer token.");
        return app;
    }

    private static async Task<Results<Created<UserResponse>, ProblemHttpResult>> Register(
        RegisterUserRequest request, NpgsqlDataSource db, IPasswordHasher<string> hasher, CancellationToken ct)
    {
        var rules = new Rules();
        rules.Username(request.Username);
        rules.Text("password", request.Password, 8, 128);
        rules.Text("displayName", request.DisplayName, 1, 64);
        if (!rules.IsValid) return Problems.Validation(rules.Errors);

        var username = request.Username!.ToLowerInvariant();
        var userId = Ids.New("u_");
        await using var command = db.CreateCommand(
            "INSERT INTO users (id, username, display_name, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (username) DO NOTHING");
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = username });
        command.Parameters.Add(new NpgsqlParameter { Value = request.DisplayName! });
        command.Parameters.Add(new NpgsqlParameter { Value = hasher.HashPassword(username, request.Password!) });
        if (await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 0) return Problems.Of(409, "username-taken", "That username is taken.");
        return TypedResults.Created($"/api/users/{userId}", new UserResponse(userId, username, request.DisplayName!));
    }

    private static async Task<Results<Created<SessionResponse>, ProblemHttpResult>> CreateSession(
        CreateSessionRequest request, NpgsqlDataSource db, IPasswordHasher<string> hasher, IOptions<BaselineOptions> options, TimeProvider clock,
        CancellationToken ct)
    {
        var rules = new Rules();
        rules.Username(request.Username);
        rules.Text("password", request.Password, 8, 128);
        if (!rules.IsValid) return Problems.Validation(rules.Errors);

        var username = request.Username!.ToLowerInvariant();
        await using var find = db.CreateCommand("SELECT id, password_hash FROM users WHERE username = $1");
        find.Parameters.Add(new NpgsqlParameter { Value = username });
        string? userId = null;
        string? hash = null;
        await using (var reader = await find.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(ct).ConfigureAwait(false)) (userId, hash) = (reader.GetString(0), reader.GetString(1));
        }

        if (userId is null || hasher.VerifyHashedPassword(username, hash!, request.Password!) == PasswordVerificationResult.Failed)
        {
            return Problems.Of(401, "invalid-credentials", "Wrong username or password.");
        }

        var token = SessionTokens.NewToken();
        var expiresAt = clock.GetUtcNow() + options.Value.SessionExpiry;
        await using var insert = db.CreateCommand("INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)");
        insert.Parameters.Add(new NpgsqlParameter { Value = SessionTokens.Hash(token) });
        insert.Parameters.Add(new NpgsqlParameter { Value = userId });
        insert.Parameters.Add(new NpgsqlParameter { Value = expiresAt });
        await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        return TypedResults.Created("/api/sessions/current", new SessionResponse(token, userId, expiresAt));
    }
}

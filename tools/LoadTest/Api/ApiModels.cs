namespace FleaMarket.LoadTest.Api;

// The JSON shapes of the HTTP contract (shared/api.md) that the rehearsal sends and reads.

internal sealed record NewUser(string Username, string Password, string DisplayName);

internal sealed record Credentials(string Username, string Password);

internal sealed record UserBody(string UserId, string Username, string DisplayName);

internal sealed record SessionBody(string Token, string UserId, DateTimeOffset ExpiresAt);

internal sealed record NewMarket(string Title, string? Description, DateTimeOffset OpensAt, DateTimeOffset? ClosesAt);

internal sealed record MarketBody(string MarketId, string SellerId, string Title, DateTimeOffset OpensAt, string Status);

internal sealed record NewListing(string Title, string? Description, long PriceCents, long Quantity, long? MaxPerBuyer);

internal sealed record ListingBody(string ListingId, string MarketId, string Title, long PriceCents, int Quantity, int Remaining, int? MaxPerBuyer, string Status);

internal sealed record OrderBody(
    string OrderId, string ListingId, string MarketId, string BuyerId, int Quantity, long UnitPriceCents, long TotalCents, DateTimeOffset CreatedAt);

internal sealed record ProblemBody(string? Type, string? Title, int? Status);

/// <summary>The answer to one request: its status, its body when it was a success, its problem code otherwise.</summary>
internal readonly record struct ApiResponse<T>(int Status, T? Value, string? Problem, TimeSpan? RetryAfter, string? Next = null)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    public T Expect(string what) => IsSuccess && Value is not null
        ? Value
        : throw new ApiException($"{what} failed: HTTP {Status}{(Problem is null ? "" : $" ({Problem})")}.");
}

/// <summary>A setup or verification request that the API refused or that never reached it; ends the run with exit code 2.</summary>
internal sealed class ApiException : Exception
{
    public ApiException(string message) : base(message)
    {
    }

    public ApiException(string message, Exception inner) : base(message, inner)
    {
    }

    public ApiException()
    {
    }
}

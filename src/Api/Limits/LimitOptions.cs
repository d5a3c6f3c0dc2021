namespace FleaMarket.Api.Limits;

/// <summary>
/// Rate limits against abuse at a public drop (configuration section "Api", next to <see cref="ApiOptions"/>).
/// docs/security.md gives the threat each one answers; every refusal is 429 <c>rate-limited</c> with Retry-After.
/// </summary>
public sealed class LimitOptions
{
    /// <summary>Login attempts (right or wrong) per client address per <see cref="LoginWindow"/>. Default 300.</summary>
    public int LoginsPerAddress { get; set; } = 300;

    /// <summary>Window of <see cref="LoginsPerAddress"/>. Default 1 minute.</summary>
    public TimeSpan LoginWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Wrong passwords for one username from one client address per <see cref="LoginFailureWindow"/>; past it that
    /// address gets 429 for that username, while the owner elsewhere still logs in. Default 10.
    /// </summary>
    public int LoginFailuresPerUsernameAndAddress { get; set; } = 10;

    /// <summary>Wrong passwords from one client address, whatever the username, per <see cref="LoginFailureWindow"/>. Default 100.</summary>
    public int LoginFailuresPerAddress { get; set; } = 100;

    /// <summary>Window of the two limits above. Default 15 minutes.</summary>
    public TimeSpan LoginFailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Wrong passwords for one username from all addresses together per <see cref="UsernameLockoutWindow"/>: the
    /// only limit that can refuse an owner, so it is high and short (against guessing from many addresses). Default 100.
    /// </summary>
    public int LoginFailuresPerUsername { get; set; } = 100;

    /// <summary>Window of <see cref="LoginFailuresPerUsername"/>, the longest a username can be locked. Default 1 minute.</summary>
    public TimeSpan UsernameLockoutWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Registrations (POST /api/users) per client address per <see cref="RegistrationWindow"/>. Default 20.</summary>
    public int RegistrationsPerAddress { get; set; } = 20;

    /// <summary>Window of <see cref="RegistrationsPerAddress"/>. Default 10 minutes.</summary>
    public TimeSpan RegistrationWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Purchase attempts per buyer per second on one API node, sustained (a token bucket). An honest buyer retrying
    /// on 503 after Retry-After makes one a second. Default 5.
    /// </summary>
    public int PurchasesPerSecond { get; set; } = 5;

    /// <summary>Purchase attempts a buyer may make at once before <see cref="PurchasesPerSecond"/> applies. Default 20.</summary>
    public int PurchaseBurst { get; set; } = 20;

    /// <summary>Reads of markets, listings and users per caller (the signed-in user, else the client address) per second, sustained. Default 50.</summary>
    public int ReadsPerSecond { get; set; } = 50;

    /// <summary>Reads a caller may make at once before <see cref="ReadsPerSecond"/> applies. Default 200.</summary>
    public int ReadBurst { get; set; } = 200;

    /// <summary>Throws naming the first invalid setting.</summary>
    public void Validate()
    {
        Positive(LoginsPerAddress, nameof(LoginsPerAddress));
        Positive(LoginWindow, nameof(LoginWindow));
        Positive(LoginFailuresPerUsernameAndAddress, nameof(LoginFailuresPerUsernameAndAddress));
        Positive(LoginFailuresPerAddress, nameof(LoginFailuresPerAddress));
        Positive(LoginFailureWindow, nameof(LoginFailureWindow));
        Positive(LoginFailuresPerUsername, nameof(LoginFailuresPerUsername));
        Positive(UsernameLockoutWindow, nameof(UsernameLockoutWindow));
        Positive(RegistrationsPerAddress, nameof(RegistrationsPerAddress));
        Positive(RegistrationWindow, nameof(RegistrationWindow));
        Positive(PurchasesPerSecond, nameof(PurchasesPerSecond));
        Positive(PurchaseBurst, nameof(PurchaseBurst));
        Positive(ReadsPerSecond, nameof(ReadsPerSecond));
        Positive(ReadBurst, nameof(ReadBurst));
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0) throw new InvalidOperationException($"Api:{name} must be greater than zero.");
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero) throw new InvalidOperationException($"Api:{name} must be greater than zero.");
    }
}

namespace FleaMarket.LoadTest.Cli;

/// <summary>Exit codes scripts rely on.</summary>
internal static class ExitCodes
{
    /// <summary>Every check passed.</summary>
    public const int Passed = 0;

    /// <summary>The run completed and at least one check failed.</summary>
    public const int CheckFailed = 1;

    /// <summary>Bad arguments, or the API could not be reached or refused setup.</summary>
    public const int Usage = 2;
}

using System.Diagnostics;

namespace FleaMarket.LoadTest.Tests.Infrastructure;

/// <summary>Runs the built CLI exactly as scripts do: <c>dotnet tools/LoadTest/bin/&lt;Config&gt;/net10.0/FleaMarket.LoadTest.dll ...</c>.</summary>
internal static class LoadTestProcess
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(BuildOutput.Dll("tools/LoadTest", "FleaMarket.LoadTest"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the load tool.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The load tool ran past 60 s:\n{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}

using System.Diagnostics;
using System.Text;

namespace FleaMarket.LoadTest.Faults;

/// <summary>The fault injected during the firing: its command, when it ran (seconds since the opening), how it ended.</summary>
internal sealed record FaultFigures(string Command, double StartedAfterSeconds, double EndedAfterSeconds, int? ExitCode, string Output);

/// <summary>
/// Runs a shell command (<c>bash -c</c>) a given time after (or, negative, before) the opening, while purchases go on: the chaos drop's
/// fault (kill a silo, pause one and resume it, stop Redis for a while...). The command may take as long as the
/// fault lasts; verification waits for it, bounded by a timeout after which it is killed.
/// </summary>
internal sealed class FaultInjection(string command, double afterSeconds, TimeSpan timeout)
{
    private const int OutputLimit = 4000;

    public async Task<FaultFigures> RunAsync(long openingTimestamp, CancellationToken ct)
    {
        // Elapsed time from a timestamp still in the future is negative: the due time counts from the opening either way.
        var due = TimeSpan.FromSeconds(afterSeconds) - Stopwatch.GetElapsedTime(openingTimestamp);
        if (due > TimeSpan.Zero) await Task.Delay(due, ct).ConfigureAwait(false);
        var started = Stopwatch.GetElapsedTime(openingTimestamp).TotalSeconds;
        var output = new StringBuilder();
        using var process = new Process
        {
            StartInfo = new ProcessStartInfo("bash", ["-c", command])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            },
        };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        int? exitCode = null;
        try
        {
            process.Start();
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
                exitCode = process.ExitCode;
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Append(output, $"(killed after {timeout.TotalSeconds:N0} s)");
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Append(output, $"could not run bash: {e.Message}");
        }

        string text;
        lock (output) text = output.ToString();
        return new FaultFigures(command, Math.Round(started, 3), Math.Round(Stopwatch.GetElapsedTime(openingTimestamp).TotalSeconds, 3), exitCode, text);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null) return;
        lock (output)
        {
            if (output.Length < OutputLimit) output.AppendLine(line.Length > 400 ? line[..400] : line);
        }
    }
}

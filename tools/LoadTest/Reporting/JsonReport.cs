using System.Text.Encodings.Web;
using System.Text.Json;
using FleaMarket.LoadTest.Drop;

namespace FleaMarket.LoadTest.Reporting;

/// <summary>The machine-readable report: one JSON document on stdout, nothing else there.</summary>
internal static class JsonReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Details contain quotes and slashes; the report is read by scripts, never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(DropReport report) => JsonSerializer.Serialize(report, Json);

    public static async Task WriteAsync(TextWriter output, DropReport report)
    {
        await output.WriteLineAsync(Serialize(report)).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>For a run that could not complete (exit code 2), so a script parsing stdout still gets JSON.</summary>
    public static async Task WriteErrorAsync(TextWriter output, string message)
    {
        await output.WriteLineAsync(JsonSerializer.Serialize(new { passed = false, error = message }, Json)).ConfigureAwait(false);
        await output.FlushAsync().ConfigureAwait(false);
    }
}

using System.Globalization;
using System.Text.Json;
using FleaMarket.LoadTest.Tests.Infrastructure;

namespace FleaMarket.LoadTest.Tests.Cli;

/// <summary>The CLI contract other scripts rely on: arguments, one JSON document on stdout, exit codes.</summary>
public sealed class DropCommandTests
{
    [Fact]
    public async Task Drop_InvalidValue_ExitsTwoWithJsonError()
    {
        var (exitCode, stdout, stderr) = await LoadTestProcess.RunAsync("drop", "--buyers", "0", "--json");

        Assert.Equal(2, exitCode);
        using var json = JsonDocument.Parse(stdout);
        Assert.False(json.RootElement.GetProperty("passed").GetBoolean());
        Assert.Contains("--buyers", json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("--buyers", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("drop", "--no-such-option")]
    [InlineData("drop", "--base-url", "not a url")]
    [InlineData("drop", "--buyers", "many")]
    [InlineData("launch")]
    public async Task Drop_BadArguments_ExitTwo(params string[] arguments)
    {
        var (exitCode, _, stderr) = await LoadTestProcess.RunAsync(arguments);

        Assert.True(exitCode == 2, stderr);
    }

    [Fact]
    public async Task Drop_NothingListening_ExitsTwoNamingTheProblem()
    {
        var port = ServerProcess.FreePort().ToString(CultureInfo.InvariantCulture);

        var (exitCode, stdout, _) = await LoadTestProcess.RunAsync("drop", "--base-url", $"http://127.0.0.1:{port}", "--buyers", "1", "--json");

        Assert.Equal(2, exitCode);
        using var json = JsonDocument.Parse(stdout);
        Assert.Contains("cannot reach the API", json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}

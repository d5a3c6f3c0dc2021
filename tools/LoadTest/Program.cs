using System.CommandLine;
using FleaMarket.LoadTest.Cli;

// The drop rehearsal CLI. Exit codes: 0 every check passed, 1 a check failed, 2 usage or connection error.
var root = new RootCommand("Rehearses a FleaMarket drop against a running API and verifies what was sold.") { DropCommand.Create() };
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors) await Console.Error.WriteLineAsync(error.Message);
    await Console.Error.WriteLineAsync("Run with --help for usage.");
    return ExitCodes.Usage;
}

return await parsed.InvokeAsync();

using Microsoft.Playwright;

namespace FleaMarket.Dashboard.Tests.Hosting;

/// <summary>
/// Headless Debian Chromium driven by Playwright. The browser is the machine's /usr/bin/chromium (installed by
/// ./test.sh), never one Playwright downloads: a missing browser fails the tests instead of skipping them.
/// Every name under <see cref="RebindingDomain"/> and <see cref="AdminDomain"/> resolves to 127.0.0.1 in it, as a
/// name does after DNS rebinding.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string RebindingDomain = "rebind.test";
    public const string AdminDomain = "admin.test";
    private const string ExecutablePath = "/usr/bin/chromium";
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: the dashboard tests need Debian's chromium. Run ./test.sh (as root), which installs it.");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                $"--host-resolver-rules=MAP *.{RebindingDomain} 127.0.0.1, MAP *.{AdminDomain} 127.0.0.1",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
    }
}

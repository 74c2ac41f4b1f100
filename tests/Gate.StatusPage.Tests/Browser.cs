namespace Gate.StatusPage.Tests;

/// <summary>Debian's Chromium through Playwright: headless, no sandbox (tests run as root in CI), no network reach-outs.</summary>
public sealed class Browser : IAsyncDisposable
{
    private IPlaywright? _playwright;

    public IBrowser Instance { get; private set; } = null!;

    public static string ExecutablePath => Environment.GetEnvironmentVariable("GATE_CHROMIUM") ?? "/usr/bin/chromium";

    public static async Task<Browser> LaunchAsync()
    {
        var browser = new Browser { _playwright = await Playwright.CreateAsync() };
        browser.Instance = await browser._playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required", "--lang=zh-CN",
            ],
        });
        return browser;
    }

    /// <summary>A fresh context (own cookies and localStorage) on the host; phone size when asked.</summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress, bool phone = false, string? language = null)
    {
        var context = await Instance.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            Locale = language ?? "zh-CN",
            TimezoneId = "Asia/Shanghai",
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1366, Height = 900 },
            DeviceScaleFactor = phone ? 2 : 1,
            IsMobile = phone,
            HasTouch = phone,
        });
        context.SetDefaultTimeout(30_000);
        if (language is not null)
        {
            // The page keeps the chosen language in localStorage; set it before any of its scripts run.
            await context.AddInitScriptAsync($"localStorage.setItem('gate.lang', '{language}');");
        }

        return await context.NewPageAsync();
    }

    /// <summary>A fresh page (see <see cref="NewPageAsync"/>) signed in as the user: where most page tests start.</summary>
    public async Task<IPage> SignedInPageAsync(Uri baseAddress, string user, string password, string? language = null)
    {
        var page = await NewPageAsync(baseAddress, language: language);
        await LoginAsync(page, user, password);
        return page;
    }

    public static async Task LoginAsync(IPage page, string user, string password)
    {
        await page.GotoAsync("/");
        await page.FillAsync("#login-user", user);
        await page.FillAsync("#login-pass", password);
        await page.ClickAsync("#login-form button[type=submit]");
        await page.WaitForSelectorAsync("#app-view:not([hidden])");
    }

    /// <summary>Saves a full-page PNG under GATE_SCREENSHOTS, or TestResults/screenshots at the repository root.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("GATE_SCREENSHOTS") ?? Path.Combine(RepoRoot(), "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name + ".png");
        // Let fonts and the last render settle before the picture is taken.
        await page.EvaluateAsync("() => document.fonts.ready");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        if (Instance is not null)
        {
            await Instance.CloseAsync();
        }

        _playwright?.Dispose();
    }

    private static string RepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Gate.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return Environment.CurrentDirectory;
    }
}

/// <summary>One Chromium for a test class (launching one is the slowest step of a browser test).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public Browser Browser { get; private set; } = null!;

    public async Task InitializeAsync() => Browser = await Browser.LaunchAsync();

    public async Task DisposeAsync() => await Browser.DisposeAsync();
}

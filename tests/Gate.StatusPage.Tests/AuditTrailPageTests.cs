using System.Net.Http.Json;
using System.Text.Json;

namespace Gate.StatusPage.Tests;

/// <summary>The security log: admins see sign-in failures and locks on the status page and filter them; others see no link.</summary>
public sealed class AuditTrailPageTests
{
    [Fact]
    public async Task SecurityLog_AfterALockout_AdminFiltersToSignInsAndSeesTheLock()
    {
        await using var browser = await Browser.LaunchAsync();
        using var host = new StatusPageHost(new Dictionary<string, string?> { ["Security:LockoutThreshold"] = "3" });
        host.Start();
        using (var attacker = new HttpClient { BaseAddress = host.BaseAddress })
        {
            for (var i = 0; i < 3; i++)
            {
                await attacker.PostAsJsonAsync("api/auth/login", new { user = "duty", password = "guess-" + i });
            }
        }

        using var admin = await host.LoginAsync("admin", StatusPageHost.AdminPassword);
        await WaitForLockRecordedAsync(admin);

        var page = await browser.NewPageAsync(host.BaseAddress, language: "en");
        await Browser.LoginAsync(page, "admin", StatusPageHost.AdminPassword);
        await page.ClickAsync("#nav-audit");
        await page.WaitForSelectorAsync("#audit-table");
        await page.SelectOptionAsync("#audit-filter", "signIn");
        await page.WaitForSelectorAsync("#audit-table tr[data-type=login_locked]");

        var types = await page.EvalOnSelectorAllAsync<string[]>("#audit-table tbody tr", "rows => rows.map(r => r.dataset.type)");
        var lockRow = await page.InnerTextAsync("#audit-table tr[data-type=login_locked]");
        await Browser.ScreenshotAsync(page, "security-log-en");
        await page.SelectOptionAsync("#audit-filter", "accounts");
        await page.WaitForSelectorAsync("#audit-none");

        Assert.All(types, t => Assert.Contains(t, new[] { "login_failed", "login_locked" }));
        Assert.Equal(3, types.Count(t => t == "login_failed"));
        Assert.Contains("duty", lockRow);
        Assert.Contains("Sign-in locked", lockRow);

        var viewer = await browser.NewPageAsync(host.BaseAddress);
        await Browser.LoginAsync(viewer, "viewer", StatusPageHost.ViewerPassword);
        Assert.True(await viewer.IsHiddenAsync("#nav-audit"));
    }

    private static async Task WaitForLockRecordedAsync(HttpClient admin)
    {
        // The event log is written by a background batcher: wait (generously) until the lock is stored.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var events = await admin.GetFromJsonAsync<JsonElement>("api/events?category=security&type=login_locked");
            if (events.GetArrayLength() > 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the lock was never recorded");
            await Task.Delay(50);
        }
    }
}

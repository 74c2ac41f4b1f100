namespace Gate.StatusPage.Tests;

/// <summary>The security log: admins see sign-in failures and locks on the status page and filter them; others see no link.</summary>
[Trait("Category", "Integration")]
public sealed class AuditTrailPageTests
{
    [Fact]
    public async Task SecurityLog_AfterALockout_AdminFiltersToSignInsAndSeesTheLock()
    {
        await using var browser = await Browser.LaunchAsync();
        using var host = StatusPageSite.StartedHost(new Dictionary<string, string?> { ["Security:LockoutThreshold"] = "3" });
        using (var attacker = new HttpClient { BaseAddress = host.BaseAddress })
        {
            for (var i = 0; i < 3; i++)
            {
                await attacker.PostAsJsonAsync("api/auth/login", new { user = "duty", password = "guess-" + i });
            }
        }

        using var admin = await host.ClientAsAsync("admin", StatusPageSite.AdminPassword);
        await WaitForLockRecordedAsync(admin);

        var page = await browser.SignedInPageAsync(host.BaseAddress, "admin", StatusPageSite.AdminPassword, language: "en");
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

        var viewer = await browser.SignedInPageAsync(host.BaseAddress, "viewer", StatusPageSite.ViewerPassword);
        Assert.True(await viewer.IsHiddenAsync("#nav-audit"));
    }

    // The event log is written by a background batcher: wait (generously) until the lock is stored.
    private static Task WaitForLockRecordedAsync(HttpClient admin) =>
        Wait.UntilAsync(
            async () => (await admin.GetFromJsonAsync<JsonElement>("api/events?category=security&type=login_locked")).GetArrayLength() > 0,
            "the lock recorded");
}

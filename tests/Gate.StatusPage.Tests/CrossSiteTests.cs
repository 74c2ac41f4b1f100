using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gate.StatusPage.Tests;

/// <summary>
/// Issue 12 failure 5: a page on another port of the same host is same-site, so the SameSite=Strict session cookie goes
/// with its requests. In real Chromium, such a page tries to revoke a device by fetch and to rotate its credential by a
/// form post; the server refuses both, and the status page itself can still make changes.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CrossSiteTests
{
    [Fact]
    public async Task CrossSite_SameHostOtherPortPage_CannotRevokeOrRotateButTheStatusPageCan()
    {
        await using var browser = await Browser.LaunchAsync();
        using var host = StatusPageSite.StartedHost();
        StatusPageSite.AddDevice(host, "郑州", "zz-900", "郑州市测试中学", "zz-900-gate1");
        StatusPageSite.AddDevice(host, "郑州", "zz-900", "郑州市测试中学", "zz-900-gate2");
        var hashBefore = host.Get<Gate.Server.Devices.DeviceRegistry>().Find("zz-900-gate1")!.CredentialHash;
        await using var attacker = await AttackerSite.StartAsync();

        var page = await browser.SignedInPageAsync(host.BaseAddress, "admin", StatusPageSite.AdminPassword);

        // The attacker's page, same browser (so same cookie jar), another port of 127.0.0.1.
        await page.GotoAsync(attacker.Address.ToString());
        var target = host.BaseAddress.ToString();
        // The page cannot read the answer (no-cors), but Chromium sees it: the server's 403, not a revocation.
        var fetchResponse = await page.RunAndWaitForResponseAsync(() => page.EvaluateAsync(
            "url => { fetch(url + 'api/devices/zz-900-gate1/revoke', { method: 'POST', mode: 'no-cors', credentials: 'include' }).catch(() => {}); }",
            target), r => r.Url.EndsWith("/revoke", StringComparison.Ordinal));
        var formResponse = await page.RunAndWaitForResponseAsync(() => page.EvaluateAsync(
            "url => { const f = document.createElement('form'); f.method = 'POST'; f.action = url + 'api/devices/zz-900-gate1/credential'; " +
            "const i = document.createElement('input'); i.name = 'x'; i.value = '1'; f.append(i); document.body.append(f); f.submit(); }", target),
            r => r.Url.EndsWith("/credential", StringComparison.Ordinal));
        await page.WaitForURLAsync("**/credential"); // the form's navigation ends on the refusal before the next one starts

        var afterAttack = host.Get<Gate.Server.Devices.DeviceRegistry>().Find("zz-900-gate1")!;
        Assert.Null(afterAttack.CredentialRevokedAt);
        Assert.Equal(hashBefore, afterAttack.CredentialHash);
        Assert.Equal(403, fetchResponse.Status);
        Assert.Equal(403, formResponse!.Status);

        // The status page's own origin still works, with the same cookie.
        await page.GotoAsync(target);
        await page.WaitForSelectorAsync("#app-view:not([hidden])");
        var ownStatus = await page.EvaluateAsync<int>(
            "async () => (await fetch('api/devices/zz-900-gate2/revoke', { method: 'POST' })).status");
        Assert.Equal(204, ownStatus);
        Assert.NotNull(host.Get<Gate.Server.Devices.DeviceRegistry>().Find("zz-900-gate2")!.CredentialRevokedAt);
    }

    [Fact]
    public async Task SecurityHeaders_StatusPage_RunsUnderTheContentSecurityPolicyWithoutViolations()
    {
        await using var browser = await Browser.LaunchAsync();
        using var host = StatusPageSite.StartedHost();
        StatusPageSite.AddDevice(host, "郑州", "zz-901", "郑州市测试中学", "zz-901-gate1");
        var page = await browser.NewPageAsync(host.BaseAddress);
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                lock (violations)
                {
                    violations.Add(message.Text);
                }
            }
        };

        var response = await page.GotoAsync("/");
        await Browser.LoginAsync(page, "admin", StatusPageSite.AdminPassword);
        await page.WaitForSelectorAsync("#live-indicator[data-state=\"live\"]");
        // Every view renders (the compliance meters set their width through the DOM, not a style attribute).
        foreach (var view in new[] { "/duty", "/compliance", "/devices" })
        {
            await page.GotoAsync("/#" + view);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }

        var headers = await response!.AllHeadersAsync();
        Assert.Contains("frame-ancestors 'none'", headers["content-security-policy"]);
        Assert.DoesNotContain("unsafe-inline", headers["content-security-policy"]);
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        Assert.Equal("no-referrer", headers["referrer-policy"]);
        lock (violations)
        {
            Assert.Empty(violations);
        }
    }

    /// <summary>The attacker's site: an empty page on its own loopback port.</summary>
    private sealed class AttackerSite(WebApplication app, Uri address) : IAsyncDisposable
    {
        public Uri Address { get; } = address;

        public static async Task<AttackerSite> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.MapGet("/", () => Results.Content("<!doctype html><html><body><p>a harmless page</p></body></html>", "text/html"));
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new AttackerSite(app, new Uri(address + "/"));
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}

using System.Net.Http.Json;
using System.Text.Json;

namespace Gate.StatusPage.Tests;

/// <summary>The monthly return's page (#/returns) in Chromium against the live site's schools (issue 17).</summary>
[Collection(LiveSiteCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ReturnsPageTests(LiveSiteFixture site)
{
    [Fact]
    public async Task Returns_ListsDistrictsWithTheAnnexColumns_MeasuredAndEnteredFigures_AndExportLinks()
    {
        // An API key, not a login: the shared site's tests all sign in from one address.
        using var admin = new HttpClient { BaseAddress = site.Host.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", site.Host.ApiKey("admin"));
        var month = (await admin.GetFromJsonAsync<JsonElement>("api/returns")).GetProperty("currentMonth").GetString();
        (await admin.PutAsJsonAsync($"api/returns/schools/zz-001/{month}", new { values = new { guards = true, closedManagement = true }, note = "页面测试" })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"api/returns/schools/kf-001/{month}", new { values = new { guards = true } })).EnsureSuccessStatusCode();

        var page = await site.Browser.NewPageAsync(site.Host.BaseAddress);
        await Browser.LoginAsync(page, "viewer", StatusPageSite.ViewerPassword);
        await page.GotoAsync("/#/returns");
        await page.WaitForSelectorAsync("#returns-table tfoot tr");

        // The annex's headings, grouped as on the printed form.
        var head = await page.InnerTextAsync("#returns-table thead");
        foreach (var heading in new[] { "校园总数", "人防", "物防", "技防", "已配备保安员的校园数", "实现封闭式管理校园数", "安装一键式报警装置并与公安机关联网校园数" })
        {
            Assert.Contains(heading, head, StringComparison.Ordinal);
        }

        // 郑州: three campuses, two linked to the police (acknowledged 3 days ago; zz-002's is 40 days old), one entered.
        var zhengzhou = page.Locator("#returns-table tbody tr[data-district=\"郑州\"]");
        Assert.Equal("3", await zhengzhou.Locator("[data-col=campuses]").InnerTextAsync());
        Assert.Equal("2", await zhengzhou.Locator("[data-col=panicAlarmLinked]").InnerTextAsync());
        Assert.Equal("1", await zhengzhou.Locator("[data-col=guards]").InnerTextAsync());
        Assert.Equal("1", await zhengzhou.Locator("[data-col=closedManagement]").InnerTextAsync());
        var total = page.Locator("#returns-table tfoot tr");
        Assert.Equal("8", await total.Locator("[data-col=campuses]").InnerTextAsync());
        Assert.Equal("3", await total.Locator("[data-col=panicAlarmLinked]").InnerTextAsync());
        Assert.Equal("2", await total.Locator("[data-col=guards]").InnerTextAsync());

        // kf-003 has no controller, so no drill of it can have reached the police this month.
        Assert.Equal(1, await page.Locator("#r-missing-drills li[data-school=\"kf-003\"]").CountAsync());

        Assert.Equal($"/api/returns/{month}/export.xlsx?lang=zh-CN", await page.GetAttributeAsync("#r-xlsx", "href"));
        Assert.Equal($"/api/returns/{month}/export.csv?lang=zh-CN", await page.GetAttributeAsync("#r-csv", "href"));
        var download = await page.APIRequest.GetAsync($"/api/returns/{month}/export.xlsx");
        Assert.Equal(200, download.Status);
        await page.Context.CloseAsync();
    }
}

namespace Gate.StatusPage.Tests;

/// <summary>The status page in Debian's Chromium against the real server, with gate controllers on MQTT.</summary>
[Collection(LiveSiteCollection.Name)]
[Trait("Category", "Integration")]
public sealed class BrowserTests(LiveSiteFixture site)
{
    private static readonly int DeviceCount = LiveSiteFixture.Schools.Sum(s => s.Devices.Length);

    [Fact]
    public async Task Login_WrongPassword_SaysSoAndStaysOnLogin()
    {
        var page = await site.Browser.NewPageAsync(site.Host.BaseAddress);
        await page.GotoAsync("/");
        await page.FillAsync("#login-user", "tech");
        await page.FillAsync("#login-pass", "not-the-password");
        await page.ClickAsync("#login-form button[type=submit]");
        await page.WaitForSelectorAsync("#login-error:not([hidden])");
        Assert.Equal("用户名或密码不正确", await page.InnerTextAsync("#login-error"));
        Assert.True(await page.IsHiddenAsync("#app-view"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Grid_AfterLogin_ShowsEveryDeviceGroupedByDistrictWithStateWords()
    {
        var page = await site.Browser.SignedInPageAsync(site.Host.BaseAddress, "tech", StatusPageSite.TechPassword);
        await page.WaitForFunctionAsync($"() => document.querySelectorAll('[data-device]').length === {DeviceCount}");

        var districts = await page.Locator(".district").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.district)");
        Assert.Equal(["开封", "洛阳", "郑州"], districts);
        Assert.Equal("未上线", (await page.InnerTextAsync("[data-device=\"kf-002-gate1\"] .badge")).Trim());
        Assert.Equal("离线", (await page.InnerTextAsync("[data-device=\"kf-001-gate1\"] .badge")).Trim());
        Assert.Equal("在线", (await page.InnerTextAsync("[data-device=\"zz-001-gate1\"] .badge")).Trim());
        // The strip shows the two pairs of lost heartbeats as gaps between 24 received ones.
        Assert.Equal(24, await page.Locator("[data-device=\"zz-001-gate2\"] .beat:not(.beat-miss)").CountAsync());
        Assert.Equal(4, await page.Locator("[data-device=\"zz-001-gate2\"] .beat-miss").CountAsync());
        Assert.Contains("1.4.1", await page.InnerTextAsync("[data-device=\"zz-001-gate2\"] .tile-facts"));

        // Filter by state: only the never-seen device remains.
        await page.SelectOptionAsync("#f-state", "never");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('[data-device]').length === 1");
        Assert.Equal(1, await page.Locator("[data-device=\"kf-002-gate1\"]").CountAsync());
        await page.SelectOptionAsync("#f-state", "");
        await page.FillAsync("#f-q", "巩义");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('[data-device]').length === 1");
        Assert.Equal(1, await page.Locator("[data-device=\"zz-003-gate1\"]").CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Grid_GateLosesPower_TileTurnsOfflineWithoutReload()
    {
        var page = await site.Browser.SignedInPageAsync(site.Host.BaseAddress, "tech", StatusPageSite.TechPassword);
        var tile = $"[data-device=\"{LiveSiteFixture.OfflineVictim}\"]";
        await page.WaitForSelectorAsync($"{tile}[data-state=\"online\"]");
        await page.WaitForSelectorAsync("#live-indicator[data-state=\"live\"]");
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        await site.Gate(LiveSiteFixture.OfflineVictim).PowerCutAsync();

        await page.WaitForSelectorAsync($"{tile}[data-state=\"offline\"]");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page reloaded");
        Assert.Equal("离线", (await page.InnerTextAsync($"{tile} .badge")).Trim());
        Assert.DoesNotContain("心跳正常", await page.InnerTextAsync($"{tile} .tile-reason"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task DutyConsole_DrillThenPanic_DrillStaysQuietPanicRingsUntilAcknowledged()
    {
        await ResolveAllOpenAlarmsAsync();
        var page = await site.Browser.SignedInPageAsync(site.Host.BaseAddress, "duty", StatusPageSite.DutyPassword);
        await page.WaitForURLAsync("**/#/duty");
        await page.WaitForSelectorAsync("#live-indicator[data-state=\"live\"]");
        var gate = site.Gate(LiveSiteFixture.DutyGate);

        var drill = await gate.AlarmAsync(AlarmKind.Drill);
        var drillCard = page.Locator($"[data-alarm=\"{drill}\"]");
        await drillCard.WaitForAsync();
        Assert.Equal("true", await drillCard.GetAttributeAsync("data-test"));
        Assert.Contains("alarm-test", await drillCard.GetAttributeAsync("class"));
        Assert.Contains("非真实报警", await drillCard.InnerTextAsync());
        Assert.Equal("", await page.EvaluateAsync<string>("() => document.body.dataset.ringing || ''"));

        var panic = await gate.AlarmAsync(AlarmKind.Panic);
        var panicCard = page.Locator($"[data-alarm=\"{panic}\"]");
        await panicCard.WaitForAsync();
        await page.WaitForFunctionAsync("() => document.body.dataset.ringing === 'alarm'");
        // Most urgent first: the real panic alarm is above the drill that came earlier.
        Assert.Equal(panic, await page.Locator(".alarm-card").First.GetAttributeAsync("data-alarm"));
        var text = await panicCard.InnerTextAsync();
        Assert.Contains("一键紧急报警", text);
        Assert.Contains("郑州市金水区实验小学", text);
        Assert.Contains("已接收", text);
        await Browser.ScreenshotAsync(page, "duty-zh-ringing");

        await panicCard.Locator("textarea").FillAsync("已电话联系门卫，误触");
        await panicCard.Locator("[data-action=ack]").ClickAsync();
        await page.WaitForSelectorAsync($"[data-alarm=\"{panic}\"][data-status=\"acknowledged\"]");
        Assert.Contains("duty", await page.Locator($"[data-alarm=\"{panic}\"] .audit").InnerTextAsync());
        await page.WaitForFunctionAsync("() => (document.body.dataset.ringing || '') === ''");

        using var api = await site.Host.ClientAsAsync("duty", StatusPageSite.DutyPassword);
        var stored = await api.GetFromJsonAsync<JsonElement>($"api/alarms/{panic}");
        Assert.Equal("duty", stored.GetProperty("operatorAckBy").GetString());

        await page.Locator($"[data-alarm=\"{panic}\"] textarea").FillAsync("现场确认无险情");
        await page.Locator($"[data-alarm=\"{panic}\"] [data-action=resolve]").ClickAsync();
        await page.Locator($"[data-alarm=\"{panic}\"]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task DevicePage_TechnicianSendsCommand_ViewerSeesNoCommands()
    {
        var tech = await site.Browser.SignedInPageAsync(site.Host.BaseAddress, "tech", StatusPageSite.TechPassword);
        await tech.GotoAsync("/#/devices/ly-001-gate1");
        await tech.WaitForSelectorAsync("[data-command=reload_config]");
        Assert.Contains("北门", await tech.InnerTextAsync(".device-head h1"));
        await tech.ClickAsync("[data-command=reload_config]");
        await tech.WaitForSelectorAsync(".form-ok");
        Assert.Contains("重新加载配置", await tech.InnerTextAsync(".form-ok"));
        await tech.WaitForSelectorAsync(".timeline [data-category=command]");
        await tech.Context.CloseAsync();

        var viewer = await site.Browser.SignedInPageAsync(site.Host.BaseAddress, "viewer", StatusPageSite.ViewerPassword);
        await viewer.GotoAsync("/#/devices/ly-001-gate1");
        await viewer.WaitForSelectorAsync(".device-head");
        await viewer.WaitForSelectorAsync(".timeline");
        Assert.Equal(0, await viewer.Locator("[data-command]").CountAsync());
        Assert.DoesNotContain("null", await viewer.InnerTextAsync(".device-body"));
        await viewer.Context.CloseAsync();
    }

    [Fact]
    public async Task Compliance_Table_MatchesWhatTheDevicesProve()
    {
        var page = await site.Browser.SignedInPageAsync(site.Host.BaseAddress, "viewer", StatusPageSite.ViewerPassword);
        await page.GotoAsync("/#/compliance");
        await page.WaitForSelectorAsync("#compliance-table");

        // Expected from the fixture: linked = online + police ack within 30 days; anti-ram = online + bollard sound.
        var expected = new Dictionary<string, (int Campuses, int Linked, int AntiRam)>
        {
            ["开封"] = (3, 0, 0),
            ["洛阳"] = (2, 1, 0),
            ["郑州"] = (3, 2, 2),
        };
        foreach (var (district, (campuses, linked, antiRam)) in expected)
        {
            var row = page.Locator($"#compliance-table tbody tr[data-district=\"{district}\"]");
            Assert.Equal(campuses.ToString(), await row.Locator("[data-col=campuses]").InnerTextAsync());
            Assert.Equal(linked.ToString(), await row.Locator("[data-col=linked]").InnerTextAsync());
            Assert.Equal(antiRam.ToString(), await row.Locator("[data-col=antiRam]").InnerTextAsync());
        }

        var total = page.Locator("#compliance-table tfoot tr");
        Assert.Equal("8", await total.Locator("[data-col=campuses]").InnerTextAsync());
        Assert.Equal("3", await total.Locator("[data-col=linked]").InnerTextAsync());
        Assert.Equal("2", await total.Locator("[data-col=antiRam]").InnerTextAsync());

        // Each campus out of compliance says why.
        Assert.Contains("未安装护校门控制器", await page.InnerTextAsync("[data-school=\"kf-003\"]"));
        Assert.Contains("已超过 30 天", await page.InnerTextAsync("[data-school=\"zz-002\"]"));
        Assert.Contains("故障", await page.InnerTextAsync("[data-school=\"zz-003\"]"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Screenshots_EveryView_ChineseEnglishAndPhone()
    {
        // Something for the duty console to show: a real tamper alarm, a drill, and a periodic test.
        await ResolveAllOpenAlarmsAsync();
        var raised = new List<string>
        {
            await site.Gate("zz-003-gate1").AlarmAsync(AlarmKind.Tamper, zone: 0),
            await site.Gate("zz-001-gate1").AlarmAsync(AlarmKind.Drill),
            await site.Gate("ly-001-gate1").AlarmAsync(AlarmKind.PeriodicTest, zone: 0),
        };

        var saved = new List<string>();
        foreach (var (phone, lang, suffix) in new[] { (false, "zh-CN", "zh"), (false, "en", "en"), (true, "zh-CN", "phone-zh") })
        {
            var page = await site.Browser.NewPageAsync(site.Host.BaseAddress, phone, lang);
            await page.GotoAsync("/");
            await page.WaitForSelectorAsync("#login-view:not([hidden])");
            saved.Add(await Browser.ScreenshotAsync(page, $"login-{suffix}"));

            await page.FillAsync("#login-user", "admin");
            await page.FillAsync("#login-pass", StatusPageSite.AdminPassword);
            await page.ClickAsync("#login-form button[type=submit]");
            await page.WaitForSelectorAsync("#app-view:not([hidden])");
            Assert.Equal(lang, await page.EvaluateAsync<string>("() => document.documentElement.lang"));
            await page.GotoAsync("/#/devices");
            await page.WaitForFunctionAsync($"() => document.querySelectorAll('[data-device]').length === {DeviceCount}");
            saved.Add(await Browser.ScreenshotAsync(page, $"devices-{suffix}"));

            await page.GotoAsync("/#/devices/zz-001-gate2");
            await page.WaitForSelectorAsync(".device-head");
            await page.WaitForSelectorAsync(".timeline");
            saved.Add(await Browser.ScreenshotAsync(page, $"device-{suffix}"));

            await page.GotoAsync("/#/duty");
            await page.WaitForFunctionAsync("n => document.querySelectorAll('.alarm-card').length >= n", raised.Count);
            saved.Add(await Browser.ScreenshotAsync(page, $"duty-{suffix}"));

            await page.GotoAsync("/#/compliance");
            await page.WaitForSelectorAsync("#compliance-table");
            saved.Add(await Browser.ScreenshotAsync(page, $"compliance-{suffix}"));
            await page.Context.CloseAsync();
        }

        await ResolveAllOpenAlarmsAsync();
        Assert.All(saved, path => Assert.True(new FileInfo(path).Length > 10_000, $"{path} looks empty"));
    }

    private async Task ResolveAllOpenAlarmsAsync()
    {
        using var admin = await site.Host.ClientAsAsync("admin", StatusPageSite.AdminPassword);
        foreach (var test in new[] { false, true })
        {
            var open = await admin.GetFromJsonAsync<JsonElement>($"api/alarms?open=true&test={(test ? "true" : "false")}");
            foreach (var alarm in open.EnumerateArray())
            {
                var response = await admin.PostAsJsonAsync($"api/alarms/{alarm.GetProperty("id").GetString()}/resolve", new { note = "test cleanup" });
                response.EnsureSuccessStatusCode();
            }
        }
    }
}

using System.Net;
using System.Text;

namespace Gate.StatusPage.Tests;

/// <summary>Every endpoint the page calls, over HTTP against the real server with the live fixture.</summary>
[Collection(LiveSiteCollection.Name)]
[Trait("Category", "Integration")]
public sealed class StatusPageApiTests(LiveSiteFixture site)
{
    [Theory]
    [InlineData("api/status-page/devices")]
    [InlineData("api/status-page/devices/zz-001-gate1")]
    [InlineData("api/status-page/devices/zz-001-gate1/events")]
    [InlineData("api/status-page/alarms")]
    [InlineData("api/status-page/compliance")]
    [InlineData("api/status-page/compliance.csv")]
    [InlineData("api/status-page/stream")]
    [InlineData("api/me")]
    public async Task Endpoint_WithoutLogin_Is401(string path)
    {
        using var client = new HttpClient { BaseAddress = site.Host.BaseAddress };
        var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Login_WrongPassword_Is401AndRightOneGivesMe()
    {
        using var client = new HttpClient { BaseAddress = site.Host.BaseAddress };
        var bad = await client.PostAsJsonAsync("api/auth/login", new { user = "tech", password = "wrong-password" });
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);

        using var tech = await site.Host.ClientAsAsync("tech", StatusPageSite.TechPassword);
        var me = await tech.GetFromJsonAsync<JsonElement>("api/me");
        Assert.Equal("tech", me.GetProperty("user").GetString());
        Assert.Equal("technician", me.GetProperty("roles")[0].GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await tech.PostAsync("api/auth/logout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tech.GetAsync("api/me")).StatusCode);
    }

    [Fact]
    public async Task Devices_ListsEveryRegisteredDeviceWithPageStateAndSchool()
    {
        using var client = await site.Host.ClientAsAsync("viewer", StatusPageSite.ViewerPassword);
        var devices = await client.GetFromJsonAsync<JsonElement>("api/status-page/devices");
        var byId = devices.EnumerateArray().ToDictionary(d => d.GetProperty("id").GetString()!);
        Assert.Equal(LiveSiteFixture.Schools.Sum(s => s.Devices.Length), byId.Count);
        Assert.Equal("never", byId["kf-002-gate1"].GetProperty("state").GetString());
        Assert.Equal("offline", byId["kf-001-gate1"].GetProperty("state").GetString());
        Assert.DoesNotContain(LiveSiteFixture.Replaced, byId.Keys);
        var gate = byId["zz-001-gate2"];
        Assert.Equal("南门", gate.GetProperty("name").GetString());
        Assert.Equal("online", gate.GetProperty("state").GetString());
        Assert.Equal("郑州市第一中学", gate.GetProperty("schoolName").GetString());
        Assert.Equal("郑州", gate.GetProperty("district").GetString());
        Assert.Equal("1.4.1", gate.GetProperty("firmware").GetString());
        Assert.Equal(1, gate.GetProperty("outbox").GetInt32());
        var beats = gate.GetProperty("beats").EnumerateArray().Select(b => b.GetBoolean()).ToList();
        Assert.Equal(24, beats.Count(b => b));
        Assert.Equal(4, beats.Count(b => !b));
    }

    [Fact]
    public async Task Device_KnownAndUnknown_DetailOr404()
    {
        using var client = await site.Host.ClientAsAsync("viewer", StatusPageSite.ViewerPassword);
        var device = await client.GetFromJsonAsync<JsonElement>("api/status-page/devices/zz-001-gate1");
        Assert.Equal("zz-001-gate1", device.GetProperty("id").GetString());
        Assert.Equal("active", device.GetProperty("commissioning").GetProperty("credential").GetString());
        Assert.Equal("北门", device.GetProperty("commissioning").GetProperty("location").GetString());
        Assert.Equal("esp32-devkitc", device.GetProperty("commissioning").GetProperty("board").GetString());

        // The detail is the grid's tile plus commissioning, one flat object: the page reads both the same way.
        var tile = (await client.GetFromJsonAsync<JsonElement>("api/status-page/devices")).EnumerateArray().Single(t => t.GetProperty("id").GetString() == "zz-001-gate1");
        Assert.Equal(tile.EnumerateObject().Select(p => p.Name).Order(), device.EnumerateObject().Select(p => p.Name).Where(n => n != "commissioning").Order());
        Assert.Equal(tile.GetProperty("schoolName").GetString(), device.GetProperty("schoolName").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("api/status-page/devices/no-such-gate")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("api/status-page/devices/no-such-gate/events")).StatusCode);
    }

    [Fact]
    public async Task DeviceEvents_AfterPowerCut_HistoryHasLivenessTransitions()
    {
        using var client = await site.Host.ClientAsAsync("viewer", StatusPageSite.ViewerPassword);
        // kf-001-gate1 went online and then offline during fixture setup; the event log is written in batches.
        JsonElement events = default;
        await site.Host.WaitUntilAsync(() =>
        {
            events = client.GetFromJsonAsync<JsonElement>("api/status-page/devices/kf-001-gate1/events").GetAwaiter().GetResult();
            return events.EnumerateArray().Count(e => e.GetProperty("category").GetString() == "liveness") >= 2;
        }, "liveness history of kf-001-gate1");
        var first = events.EnumerateArray().First();
        Assert.Contains("offline", first.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Alarms_RealAlarm_ListedWithSchoolAndTrailThenAcknowledgedByPerson()
    {
        var gate = site.Gate("zz-003-gate1");
        var id = await gate.AlarmAsync(AlarmKind.Tamper, zone: 0);
        using var duty = await site.Host.ClientAsAsync("duty", StatusPageSite.DutyPassword);
        JsonElement alarm = default;
        await site.Host.WaitUntilAsync(() =>
        {
            var list = duty.GetFromJsonAsync<JsonElement>("api/status-page/alarms").GetAwaiter().GetResult();
            alarm = list.EnumerateArray().FirstOrDefault(a => a.GetProperty("id").GetString() == id);
            return alarm.ValueKind == JsonValueKind.Object;
        }, "the tamper alarm on the duty console");
        Assert.Equal("巩义市第二中学", alarm.GetProperty("schoolName").GetString());
        Assert.Equal("open", alarm.GetProperty("status").GetString());
        Assert.False(alarm.GetProperty("isTest").GetBoolean());
        Assert.False(alarm.GetProperty("delivery").GetProperty("policeAckAt").ValueKind == JsonValueKind.String);

        using var viewer = await site.Host.ClientAsAsync("viewer", StatusPageSite.ViewerPassword);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync($"api/alarms/{id}/acknowledge", new { note = "x" })).StatusCode);

        (await duty.PostAsJsonAsync($"api/alarms/{id}/acknowledge", new { note = "门卫已核实" })).EnsureSuccessStatusCode();
        var after = (await duty.GetFromJsonAsync<JsonElement>("api/status-page/alarms")).EnumerateArray().Single(a => a.GetProperty("id").GetString() == id);
        Assert.Equal("acknowledged", after.GetProperty("status").GetString());
        Assert.Equal("duty", after.GetProperty("acknowledgedBy").GetString());
        Assert.Equal("门卫已核实", after.GetProperty("note").GetString());

        (await duty.PostAsJsonAsync($"api/alarms/{id}/resolve", new { note = "已复位" })).EnsureSuccessStatusCode();
        var open = await duty.GetFromJsonAsync<JsonElement>("api/status-page/alarms");
        Assert.DoesNotContain(open.EnumerateArray(), a => a.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Compliance_DefaultAndCustomWindow_CountsFromDevices()
    {
        using var client = await site.Host.ClientAsAsync("viewer", StatusPageSite.ViewerPassword);
        var report = await client.GetFromJsonAsync<JsonElement>("api/status-page/compliance");
        Assert.Equal(30, report.GetProperty("windowDays").GetInt32());
        Assert.Equal(8, report.GetProperty("totals").GetProperty("campuses").GetInt32());
        Assert.Equal(3, report.GetProperty("totals").GetProperty("linked").GetInt32());
        Assert.Equal(2, report.GetProperty("totals").GetProperty("antiRam").GetInt32());

        // With a 60-day window the 40-day-old acknowledgement of zz-002 counts again.
        var wide = await client.GetFromJsonAsync<JsonElement>("api/status-page/compliance?days=60");
        Assert.Equal(4, wide.GetProperty("totals").GetProperty("linked").GetInt32());
        // With 4 days, ly-001's 5-day-old one no longer does.
        var narrow = await client.GetFromJsonAsync<JsonElement>("api/status-page/compliance?days=4");
        Assert.Equal(2, narrow.GetProperty("totals").GetProperty("linked").GetInt32());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("367")]
    [InlineData("-5")]
    public async Task Compliance_BadWindow_Is400WithReason(string days)
    {
        using var client = await site.Host.ClientAsAsync("viewer", StatusPageSite.ViewerPassword);
        var response = await client.GetAsync($"api/status-page/compliance?days={days}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("days", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ComplianceCsv_ChineseByDefault_BomHeaderRowsAndTotal()
    {
        using var client = await site.Host.ClientAsAsync("viewer", StatusPageSite.ViewerPassword);
        var response = await client.GetAsync("api/status-page/compliance.csv");
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("地区,校园总数,一键报警与公安联网,已安装硬质防冲撞设施", lines[0]);
        Assert.Contains("郑州,3,2,2", lines);
        Assert.Equal("合计,8,3,2", lines[^1]);

        var english = await client.GetStringAsync("api/status-page/compliance.csv?lang=en&detail=campuses");
        Assert.StartsWith("District,id,Campus,", english.TrimStart('\uFEFF'));
        Assert.Contains("kf-003", english);
        Assert.Contains("No gate controller installed", english);
    }

    [Fact]
    public async Task Stream_FirstEventIsHelloThenLiveChanges()
    {
        using var client = await site.Host.ClientAsAsync("viewer", StatusPageSite.ViewerPassword);
        using var cts = new CancellationTokenSource(Wait.Generous);
        using var response = await client.GetAsync("api/status-page/stream", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var data = await NextDataAsync(reader, cts.Token);
        Assert.Equal("hello", JsonDocument.Parse(data).RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Commands_TechnicianMaySendViewerMayNot()
    {
        using var viewer = await site.Host.ClientAsAsync("viewer", StatusPageSite.ViewerPassword);
        var refused = await viewer.PostAsJsonAsync("api/devices/zz-001-gate1/commands", new { name = "reload_config" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        using var tech = await site.Host.ClientAsAsync("tech", StatusPageSite.TechPassword);
        var sent = await tech.PostAsJsonAsync("api/devices/zz-001-gate1/commands", new { name = "reload_config" });
        Assert.True(sent.IsSuccessStatusCode, $"{(int)sent.StatusCode} {await sent.Content.ReadAsStringAsync()}");
        var history = await tech.GetFromJsonAsync<JsonElement>("api/status-page/devices/zz-001-gate1/events");
        Assert.Contains(history.EnumerateArray(), e => e.GetProperty("category").GetString() == "command" && e.GetProperty("kind").GetString() == "reload_config");
    }

    private static async Task<string> NextDataAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                return line[5..].Trim();
            }
        }

        throw new EndOfStreamException();
    }
}

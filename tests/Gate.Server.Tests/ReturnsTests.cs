using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gate.Server.Devices;
using Gate.Testing;

namespace Gate.Server.Tests;

/// <summary>The monthly statistics return: columns of the annex, entries per school, roll-up, close and compare (issue 17).</summary>
public sealed class ReturnsTests
{
    private static readonly DateTimeOffset October = ReturnsProvince.October;
    private static readonly Dictionary<string, string?> HenanCities = ReturnsProvince.Henan;

    [Fact]
    public async Task Columns_AreTheAnnexHeadingsInTheAnnexOrder_ThenTheMonthlyReportAdditions()
    {
        using var server = new GateServerFactory(start: October);
        var client = await server.AdminClientAsync();

        var columns = await client.GetFromJsonAsync<JsonElement>("/api/returns/columns");

        var headings = columns.EnumerateArray().Select(c => c.GetProperty("headingZh").GetString()).ToList();
        Assert.Equal(
            ["校园总数", "已配备保安员的校园数", "已配齐防护装备的校园数", "实现封闭式管理校园数", "已安装硬质防冲撞设施校园数", "在大门口等重要部位安装探头校园数",
                "安装一键式报警装置并与公安机关联网校园数", "已在校园周边安装交通设施校园数", "视频监控与公安机关联网校园数", "国家标准已达标的校园数", "本月开展演练并经公安确认的校园数"],
            headings);
        var sources = columns.EnumerateArray().ToDictionary(c => c.GetProperty("key").GetString()!, c => c.GetProperty("source").GetString());
        Assert.Equal("measured", sources["panicAlarmLinked"]);
        Assert.Equal("measured", sources["antiRam"]);
        Assert.Equal("measured", sources["drill"]);
        Assert.Equal("entered", sources["guards"]);
    }

    [Fact]
    public async Task EnteredFigures_CountPerDistrict_RollUpToCityAndProvince_WithWhoWhenAndNote()
    {
        using var server = new GateServerFactory(start: October, settings: HenanCities);
        School(server, "jinshui-1", "金水区");
        School(server, "jinshui-2", "金水区");
        School(server, "erqi-1", "二七区");
        School(server, "longting-1", "龙亭区");
        School(server, "gongyi-1", "巩义");
        var office = server.ClientWithKey("education_office");

        (await office.PutAsJsonAsync("/api/returns/schools/jinshui-1/2026-10", new { values = new { guards = true, closedManagement = true }, note = "保安公司合同已签" })).EnsureSuccessStatusCode();
        (await office.PutAsJsonAsync("/api/returns/schools/jinshui-2/2026-10", new { values = new { guards = 1, closedManagement = 0 } })).EnsureSuccessStatusCode();
        (await office.PutAsJsonAsync("/api/returns/schools/longting-1/2026-10", new { values = new { guards = true } })).EnsureSuccessStatusCode();

        var report = await office.GetFromJsonAsync<JsonElement>("/api/returns/2026-10");

        var cities = report.GetProperty("cities").EnumerateArray().ToList();
        Assert.Equal(["郑州", "开封", "巩义"], cities.Select(c => c.GetProperty("city").GetString()));
        var jinshui = cities[0].GetProperty("districts").EnumerateArray().Single(d => d.GetProperty("district").GetString() == "金水区").GetProperty("values");
        Assert.Equal(2, jinshui.GetProperty("campuses").GetInt32());
        Assert.Equal(2, jinshui.GetProperty("guards").GetInt32());
        Assert.Equal(1, jinshui.GetProperty("closedManagement").GetInt32());
        Assert.Equal(3, cities[0].GetProperty("totals").GetProperty("campuses").GetInt32());
        Assert.Equal(2, cities[0].GetProperty("totals").GetProperty("guards").GetInt32());
        Assert.Equal(5, report.GetProperty("totals").GetProperty("campuses").GetInt32());
        Assert.Equal(3, report.GetProperty("totals").GetProperty("guards").GetInt32());
        // No device anywhere: nothing Gate measures can count.
        Assert.Equal(0, report.GetProperty("totals").GetProperty("panicAlarmLinked").GetInt32());
        Assert.Equal(0, report.GetProperty("totals").GetProperty("antiRam").GetInt32());

        var entries = await office.GetFromJsonAsync<JsonElement>("/api/returns/schools/jinshui-1/2026-10");
        var guards = entries.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("column").GetString() == "guards");
        Assert.StartsWith("key:education_office-key-", guards.GetProperty("enteredBy").GetString(), StringComparison.Ordinal);
        Assert.Equal(October, guards.GetProperty("enteredAt").GetDateTimeOffset());
        Assert.Equal("保安公司合同已签", guards.GetProperty("note").GetString());
    }

    [Fact]
    public async Task AFigure_StandsForLaterMonths_UntilANewOneIsEntered()
    {
        using var server = new GateServerFactory(start: October);
        School(server, "s1", "金水区");
        var admin = await server.AdminClientAsync();
        (await admin.PutAsJsonAsync("/api/returns/schools/s1/2026-09", new { values = new { guards = true, gateCameras = true } })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/returns/schools/s1/2026-10", new { values = new { gateCameras = false } })).EnsureSuccessStatusCode();

        var october = await admin.GetFromJsonAsync<JsonElement>("/api/returns/2026-10");

        Assert.Equal(1, october.GetProperty("totals").GetProperty("guards").GetInt32());
        Assert.Equal(0, october.GetProperty("totals").GetProperty("gateCameras").GetInt32());
        var september = await admin.GetFromJsonAsync<JsonElement>("/api/returns/2026-09");
        Assert.Equal(1, september.GetProperty("totals").GetProperty("gateCameras").GetInt32());
    }

    [Theory]
    [InlineData("""{"values":{"guardz":true}}""", "values.guardz")]
    [InlineData("""{"values":{"panicAlarmLinked":true}}""", "values.panicAlarmLinked")]
    [InlineData("""{"values":{"guards":"yes"}}""", "values.guards")]
    [InlineData("""{"values":{"guards":2}}""", "values.guards")]
    [InlineData("""{"values":{}}""", "values")]
    [InlineData("""{"values":{"guards":true},"note":"a\u0000b"}""", "note")]
    public async Task Entry_Invalid_Is400NamingTheField_AndNothingIsStored(string body, string field)
    {
        using var server = new GateServerFactory(start: October);
        School(server, "s1", "金水区");
        var admin = await server.AdminClientAsync();

        var response = await admin.PutAsync("/api/returns/schools/s1/2026-10", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors name {field}: {problem}");
        var entries = await admin.GetFromJsonAsync<JsonElement>("/api/returns/schools/s1/2026-10");
        Assert.Empty(entries.GetProperty("entries").EnumerateArray());
    }

    [Theory]
    [InlineData("2026-13")]
    [InlineData("202610")]
    [InlineData("2026-11")]
    public async Task Month_NotAMonthOrNotBegun_Is400NamingTheMonth(string month)
    {
        using var server = new GateServerFactory(start: October);
        School(server, "s1", "金水区");
        var admin = await server.AdminClientAsync();

        var put = await admin.PutAsJsonAsync($"/api/returns/schools/s1/{month}", new { values = new { guards = true } });
        var get = await admin.GetAsync($"/api/returns/{month}");

        foreach (var response in new[] { put, get })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty("month", out _));
        }
    }

    [Fact]
    public async Task Entry_ByViewerOrDutyOfficer_IsForbidden_UnknownSchoolIs404()
    {
        using var server = new GateServerFactory(start: October);
        School(server, "s1", "金水区");

        foreach (var role in new[] { "viewer", "duty_officer" })
        {
            var response = await server.ClientWithKey(role).PutAsJsonAsync("/api/returns/schools/s1/2026-10", new { values = new { guards = true } });
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await server.ClientWithKey(role).PostAsync("/api/returns/2026-10/close", null)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await server.ClientWithKey("viewer").GetAsync("/api/returns/2026-10")).StatusCode);
        var unknown = await server.ClientWithKey("technician").PutAsJsonAsync("/api/returns/schools/nope/2026-10", new { values = new { guards = true } });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task ClosedMonth_IsKeptAsItWas_RefusesEntries_AndALaterMonthComparesWithIt()
    {
        using var server = new GateServerFactory(start: October, settings: HenanCities);
        School(server, "jinshui-1", "金水区");
        School(server, "jinshui-2", "金水区");
        School(server, "longting-1", "龙亭区");
        var office = server.ClientWithKey("education_office");
        (await office.PutAsJsonAsync("/api/returns/schools/jinshui-1/2026-10", new { values = new { guards = true } })).EnsureSuccessStatusCode();

        var close = await office.PostAsync("/api/returns/2026-10/close", null);
        close.EnsureSuccessStatusCode();
        var kept = await close.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(kept.GetProperty("closed").GetBoolean());

        // After the close: a refused entry, a second close refused, and November moves on.
        var late = await office.PutAsJsonAsync("/api/returns/schools/jinshui-2/2026-10", new { values = new { guards = true } });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await office.PostAsync("/api/returns/2026-10/close", null)).StatusCode);
        server.Time.Advance(TimeSpan.FromDays(20));
        School(server, "jinshui-3", "金水区");
        (await office.PutAsJsonAsync("/api/returns/schools/jinshui-2/2026-11", new { values = new { guards = true, closedManagement = true } })).EnsureSuccessStatusCode();

        var october = await office.GetFromJsonAsync<JsonElement>("/api/returns/2026-10");
        Assert.Equal(3, october.GetProperty("totals").GetProperty("campuses").GetInt32());
        Assert.Equal(1, october.GetProperty("totals").GetProperty("guards").GetInt32());
        Assert.Equal(kept.GetProperty("closedAt").GetDateTimeOffset(), october.GetProperty("closedAt").GetDateTimeOffset());

        var changes = await office.GetFromJsonAsync<JsonElement>("/api/returns/2026-11/changes");
        Assert.Equal("2026-10", changes.GetProperty("since").GetString());
        var rows = changes.GetProperty("rows").EnumerateArray().ToList();
        var jinshui = rows.Single(r => r.GetProperty("level").GetString() == "district" && r.GetProperty("district").GetString() == "金水区");
        Assert.Equal(1, jinshui.GetProperty("change").GetProperty("campuses").GetInt32());
        Assert.Equal(1, jinshui.GetProperty("change").GetProperty("guards").GetInt32());
        Assert.Equal(2, jinshui.GetProperty("now").GetProperty("guards").GetInt32());
        Assert.Equal(1, jinshui.GetProperty("change").GetProperty("closedManagement").GetInt32());
        var longting = rows.Single(r => r.GetProperty("district").GetString() == "龙亭区");
        Assert.All(longting.GetProperty("change").EnumerateObject(), c => Assert.Equal(0, c.Value.GetInt32()));
        var province = rows.Single(r => r.GetProperty("level").GetString() == "province");
        Assert.Equal(4, province.GetProperty("now").GetProperty("campuses").GetInt32());
        Assert.Equal(1, province.GetProperty("change").GetProperty("campuses").GetInt32());

        var notClosed = await office.GetAsync("/api/returns/2026-11/changes?since=2026-09");
        Assert.Equal(HttpStatusCode.NotFound, notClosed.StatusCode);
    }

    [Fact]
    public async Task AntiRam_CountsOnlyACommissionedHealthyBollard_PanicLinkNeedsAPoliceAck()
    {
        using var server = new GateServerFactory(start: October);
        School(server, "a", "金水区");
        School(server, "b", "金水区");
        await using var commissioned = await server.ConnectDeviceAsync(server.AddDevice("a", "gate-a"));
        await using var uncommissioned = await server.ConnectDeviceAsync(server.AddDevice("b", "gate-b"));
        await commissioned.SendHeartbeatAsync();
        await uncommissioned.SendHeartbeatAsync();
        var liveness = server.Get<Gate.Server.Liveness.LivenessTracker>();
        await server.WaitUntilAsync(() => new[] { "gate-a", "gate-b" }.All(d => liveness.Find(d) is { State: "online" } live && live.Telemetry.Bollard == Gate.Contracts.BollardPosition.Up),
            "both bollards reported up");
        server.Get<Gate.Server.Provisioning.ProvisioningStore>().AddRun(new Gate.Server.Provisioning.CommissioningRun(
            "run-a", "gate-a", "tech", "tech", October, October, Gate.Server.Provisioning.RunResult.Passed, null, null, null, []));
        var admin = await server.AdminClientAsync();

        var report = await admin.GetFromJsonAsync<JsonElement>("/api/returns/2026-10");

        var schools = report.GetProperty("schools").EnumerateArray().ToDictionary(s => s.GetProperty("schoolId").GetString()!, s => s.GetProperty("values"));
        Assert.True(schools["a"].GetProperty("antiRam").GetBoolean());
        Assert.False(schools["b"].GetProperty("antiRam").GetBoolean());
        Assert.Equal(1, report.GetProperty("totals").GetProperty("antiRam").GetInt32());
        // Online, but no alarm or test of theirs ever reached the police.
        Assert.Equal(0, report.GetProperty("totals").GetProperty("panicAlarmLinked").GetInt32());
    }

    [Fact]
    public async Task Drill_CountsAPoliceAcknowledgedDrillOfTheMonth_AndListsTheSchoolsWithout()
    {
        using var server = new GateServerFactory(start: October);
        foreach (var id in new[] { "acked", "unacked", "september", "none" })
        {
            School(server, id, "金水区");
            server.AddDevice(id, id + "-gate");
        }

        var database = server.Get<Gate.Server.Storage.GateDatabase>();
        // 2026-10-01 07:30 in Zhengzhou is still 30 September in UTC: the offices' month counts it as October.
        SeedDrill(database, "acked-gate", "acked", new DateTimeOffset(2026, 9, 30, 23, 30, 0, TimeSpan.Zero), acked: true);
        SeedDrill(database, "unacked-gate", "unacked", new DateTimeOffset(2026, 10, 10, 2, 0, 0, TimeSpan.Zero), acked: false);
        SeedDrill(database, "september-gate", "september", new DateTimeOffset(2026, 9, 20, 2, 0, 0, TimeSpan.Zero), acked: true);
        var admin = await server.AdminClientAsync();

        var october = await admin.GetFromJsonAsync<JsonElement>("/api/returns/2026-10");
        var september = await admin.GetFromJsonAsync<JsonElement>("/api/returns/2026-09");

        Assert.Equal(1, october.GetProperty("totals").GetProperty("drill").GetInt32());
        Assert.Equal(["none", "september", "unacked"],
            october.GetProperty("missingDrills").EnumerateArray().Select(m => m.GetProperty("schoolId").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(1, september.GetProperty("totals").GetProperty("drill").GetInt32());
        Assert.DoesNotContain("september", september.GetProperty("missingDrills").EnumerateArray().Select(m => m.GetProperty("schoolId").GetString()));
    }

    /// <summary>A drill-mode alarm as the alarm store and forwarder would have recorded it.</summary>
    private static void SeedDrill(Gate.Server.Storage.GateDatabase database, string device, string school, DateTimeOffset at, bool acked)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO alarms(id, device_id, school_id, kind, zone, boot, seq, restore, is_test, count, raised_at, received_at, stage, status, police_ack_at)
            VALUES ($id, $d, $s, $kind, 0, 1, 1, 0, 1, 1, $t, $t, $stage, 'open', $ack);
            """;
        command.Parameters.AddWithValue("$id", device + ".1.1");
        command.Parameters.AddWithValue("$d", device);
        command.Parameters.AddWithValue("$s", school);
        command.Parameters.AddWithValue("$kind", Gate.Contracts.AlarmKind.Drill);
        command.Parameters.AddWithValue("$t", Gate.Server.Storage.StoredTime.Format(at));
        command.Parameters.AddWithValue("$stage", acked ? "police_ack" : "forwarded");
        command.Parameters.AddWithValue("$ack", acked ? Gate.Server.Storage.StoredTime.Format(at.AddSeconds(3)) : DBNull.Value);
        command.ExecuteNonQuery();
    }

    private static void School(GateServerFactory server, string id, string district) =>
        server.Get<DeviceRegistry>().UpsertSchool(new School(id, "学校 " + id, district, "", null, null, null));
}

using System.Net.Http.Json;
using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Gate.Server.Devices;
using Gate.Testing;

namespace Gate.Server.Tests;

/// <summary>The monthly return exported in the annex's layout, read back with the Open XML SDK (issue 17).</summary>
public sealed class ReturnExportTests
{
    private static readonly DateTimeOffset October = ReturnsProvince.October;
    private static readonly Dictionary<string, string?> Henan = ReturnsProvince.Henan;

    [Fact]
    public async Task Xlsx_HasTheAnnexHeadingsMergedInTwoRows_ADistrictsRow_CitySubtotalsAndTheProvinceTotal()
    {
        using var server = new GateServerFactory(start: October, settings: Henan);
        var client = await DemoAsync(server);

        var response = await client.GetAsync("/api/returns/2026-10/export.xlsx");

        response.EnsureSuccessStatusCode();
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType!.MediaType);
        using var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        using var document = SpreadsheetDocument.Open(stream, false);
        // What Excel would refuse to open (elements out of order, bad references) the SDK's validator names.
        Assert.Empty(new DocumentFormat.OpenXml.Validation.OpenXmlValidator().Validate(document).Select(e => e.Description));
        var sheet = document.WorkbookPart!.WorksheetParts.Single().Worksheet;
        var cells = sheet.Descendants<Cell>().ToDictionary(c => c.CellReference!.Value!, c => c.InlineString?.Text?.Text ?? c.CellValue?.Text ?? "");
        string At(string reference) => cells.GetValueOrDefault(reference) ?? "";

        Assert.Equal("河南省学校安全防范建设情况统计表（2026年10月）", At("A1"));
        Assert.Equal("地区", At("A2"));
        Assert.Equal("校园总数", At("B2"));
        Assert.Equal(["人防", "物防", "技防", "月报补充项"], new[] { At("C2"), At("D2"), At("G2"), At("I2") });
        Assert.Equal(
            ["已配备保安员的校园数", "已配齐防护装备的校园数", "实现封闭式管理校园数", "已安装硬质防冲撞设施校园数", "在大门口等重要部位安装探头校园数",
                "安装一键式报警装置并与公安机关联网校园数", "已在校园周边安装交通设施校园数", "视频监控与公安机关联网校园数", "国家标准已达标的校园数", "本月开展演练并经公安确认的校园数"],
            new[] { "C3", "D3", "E3", "F3", "G3", "H3", "I3", "J3", "K3", "L3" }.Select(At));
        var merges = sheet.Descendants<MergeCell>().Select(m => m.Reference!.Value).ToList();
        Assert.Equal(["A1:L1", "A2:A3", "B2:B3", "D2:F2", "G2:H2", "I2:L2"], merges);

        Assert.Equal(["金水区", "二七区", "郑州 小计", "龙亭区", "开封 小计", "巩义", "合计"], Enumerable.Range(4, 7).Select(r => At("A" + r)));
        // 金水区: two campuses, both with guards, one under closed management, one with video linked to the police.
        Assert.Equal(["2", "2", "0", "1", "0", "0", "0", "0", "1", "0", "0"], "BCDEFGHIJKL".Select(c => At(c + "4")));
        Assert.Equal(["3", "2"], new[] { At("B6"), At("C6") });
        Assert.Equal(["5", "3", "1"], new[] { At("B10"), At("C10"), At("E10") });
    }

    [Fact]
    public async Task Csv_HasTheGroupAndHeadingRows_AndTheSameFigures()
    {
        using var server = new GateServerFactory(start: October, settings: Henan);
        var client = await DemoAsync(server);

        var bytes = await client.GetByteArrayAsync("/api/returns/2026-10/export.csv");

        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n");
        Assert.Equal("地区,校园总数,人防,物防,,,技防,,月报补充项,,,", lines[0]);
        Assert.StartsWith(",校园总数,已配备保安员的校园数,已配齐防护装备的校园数,", lines[1], StringComparison.Ordinal);
        Assert.Contains("金水区,2,2,0,1,0,0,0,0,1,0,0", lines);
        Assert.Contains("合计,5,3,0,1,0,0,0,0,1,0,0", lines);

        var english = Encoding.UTF8.GetString(await client.GetByteArrayAsync("/api/returns/2026-10/export.csv?lang=en"));
        Assert.Contains("Campuses with a one-button alarm linked to the police", english, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DemoProvince_ExportsTheAnnexTable_WithItsCitiesDistrictsAndEnteredFigures()
    {
        // The demo host seeds Henan schools (郑州, 开封, 洛阳 by district; 巩义, 兰考) with figures at annex 1's city rates.
        var server = new GateServerFactory<Gate.Demo.DemoProgram>();
        try
        {
            var client = await server.AdminClientAsync();
            var month = (await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/returns")).GetProperty("currentMonth").GetString();

            using var stream = new MemoryStream(await client.GetByteArrayAsync($"/api/returns/{month}/export.xlsx"));
            using var document = SpreadsheetDocument.Open(stream, false);
            var cells = document.WorkbookPart!.WorksheetParts.Single().Worksheet.Descendants<Cell>()
                .ToDictionary(c => c.CellReference!.Value!, c => c.InlineString?.Text?.Text ?? c.CellValue?.Text ?? "");

            Assert.StartsWith("河南省学校安全防范建设情况统计表", cells["A1"], StringComparison.Ordinal);
            Assert.Equal("已配备保安员的校园数", cells["C3"]);
            var labels = cells.Where(c => c.Key.StartsWith('A') && int.Parse(c.Key[1..], System.Globalization.CultureInfo.InvariantCulture) > 3).OrderBy(c => int.Parse(c.Key[1..], System.Globalization.CultureInfo.InvariantCulture)).Select(c => c.Value).ToList();
            Assert.Equal(["金水区", "二七区", "中原区", "郑州 小计", "龙亭区", "鼓楼区", "开封 小计", "西工区", "涧西区", "洛阳 小计", "巩义", "兰考"], labels.Take(12));
            Assert.Equal("合计", labels[^1]);
            // 洛阳 reported every campus with guards; 开封 about a third (634 of 2025): 3 of its 8 demo schools.
            var row = labels.IndexOf("洛阳 小计") + 4;
            Assert.Equal(cells["B" + row], cells["C" + row]);
            Assert.Equal("3", cells["C" + (labels.IndexOf("开封 小计") + 4)]);
        }
        finally
        {
            server.Dispose();
        }
    }

    /// <summary>Five schools in four districts of the annex's cities, with figures entered for three of them.</summary>
    private static async Task<HttpClient> DemoAsync(GateServerFactory server)
    {
        foreach (var (id, district) in new[] { ("jinshui-1", "金水区"), ("jinshui-2", "金水区"), ("erqi-1", "二七区"), ("longting-1", "龙亭区"), ("gongyi-1", "巩义") })
        {
            server.Get<DeviceRegistry>().UpsertSchool(new School(id, "学校 " + id, district, "", null, null, null));
        }

        var office = server.ClientWithKey("education_office");
        (await office.PutAsJsonAsync("/api/returns/schools/jinshui-1/2026-10", new { values = new { guards = true, closedManagement = true, videoLinked = true } })).EnsureSuccessStatusCode();
        (await office.PutAsJsonAsync("/api/returns/schools/jinshui-2/2026-10", new { values = new { guards = true } })).EnsureSuccessStatusCode();
        (await office.PutAsJsonAsync("/api/returns/schools/longting-1/2026-10", new { values = new { guards = true } })).EnsureSuccessStatusCode();
        return office;
    }
}

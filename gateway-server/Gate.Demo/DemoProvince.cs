using Gate.Server.Devices;
using Gate.Server.Returns;

namespace Gate.Demo;

/// <summary>
/// A demo province for the monthly return: schools in real Henan cities and districts, with figures entered for this
/// month at the rates Henan's annex 1 reported for each city in 2017 (e.g. 郑州 2521 of 2979 campuses with guards), so the
/// return and its export look like the office's own table. Measured columns stay as the devices make them.
/// </summary>
public sealed class DemoProvince(DeviceRegistry registry, ReturnStore returns, ReturnBook book, TimeProvider time) : IHostedService
{
    /// <summary>(city, districts, annex 1 row: campuses, guards, equipment, closed management, anti-ram, cameras, alarm)</summary>
    private static readonly (string City, string[] Districts, int[] Annex)[] Cities =
    [
        ("郑州", ["金水区", "二七区", "中原区"], [2979, 2521, 2065, 1615, 1182, 2588, 1012]),
        ("开封", ["龙亭区", "鼓楼区"], [2025, 634, 752, 640, 131, 1389, 180]),
        ("洛阳", ["西工区", "涧西区"], [2938, 2938, 2938, 2938, 2676, 2938, 2361]),
        ("巩义", ["巩义"], [221, 122, 221, 221, 160, 221, 72]),
        ("兰考", ["兰考"], [419, 419, 419, 419, 4, 419, 260]),
    ];

    private static readonly string[] Kinds = ["第一小学", "实验小学", "第二中学", "中心幼儿园"];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var month = book.CurrentMonth();
        foreach (var (city, districts, annex) in Cities)
        {
            var schools = districts.SelectMany(d => Kinds.Select((kind, i) => (District: d, Id: $"henan-{Pinyin(d)}-{i + 1}", Name: (d == city ? city + "市" : city + "市" + d) + kind))).ToList();
            for (var n = 0; n < schools.Count; n++)
            {
                var (district, id, name) = schools[n];
                if (registry.FindSchool(id) is null)
                {
                    registry.UpsertSchool(new School(id, name, district, "河南省" + city + "市" + (district == city ? "" : district), null, null, null));
                }

                // The first round(n * rate) schools of the city say yes, the city's rate from the annex.
                bool Yes(int column) => n < Math.Round(schools.Count * (double)annex[column] / annex[0]);
                var values = new Dictionary<string, bool>
                {
                    [ReturnColumns.Guards] = Yes(1),
                    [ReturnColumns.ProtectiveEquipment] = Yes(2),
                    [ReturnColumns.ClosedManagement] = Yes(3),
                    [ReturnColumns.GateCameras] = Yes(5),
                    [ReturnColumns.TrafficFacilities] = Yes(4),
                    [ReturnColumns.VideoLinked] = Yes(6),
                    [ReturnColumns.NationalStandard] = Yes(4) && Yes(6),
                };
                if (returns.InForce(month, id).Count == 0)
                {
                    returns.Save(id, month, values, "演示数据", "demo", time.GetUtcNow());
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>School ids are ASCII identifiers; the demo's districts spelt out.</summary>
    private static string Pinyin(string district) => district switch
    {
        "金水区" => "jinshui", "二七区" => "erqi", "中原区" => "zhongyuan", "龙亭区" => "longting", "鼓楼区" => "gulou",
        "西工区" => "xigong", "涧西区" => "jianxi", "巩义" => "gongyi", "兰考" => "lankao", _ => "district",
    };
}

using Gate.Server.Liveness;
using Gate.Server.Provisioning;
using Gate.Server.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Gate.StatusPage.Tests;

/// <summary>
/// A small Henan fixture (names and districts after docs/data/henan-2017-annex1.csv; Gongyi counted inside Zhengzhou as
/// the provincial total does) served by one real server, with gate controllers connected over MQTT and one Chromium.
/// </summary>
public sealed class LiveSiteFixture : IAsyncLifetime
{
    public const string OfflineVictim = "ly-002-gate1";
    public const string DutyGate = "zz-002-gate1";
    public const string Replaced = "zz-001-old";

    private readonly Dictionary<string, TestDevice> _gates = new(StringComparer.Ordinal);

    public GateServerFactory Host { get; } = StatusPageSite.NewHost();

    public Browser Browser { get; private set; } = null!;

    private ProvisioningStore Placements => Host.Services.GetRequiredService<ProvisioningStore>();

    public TestDevice Gate(string id) => _gates[id];

    /// <summary>(district, school id, school name, device ids, bollard)</summary>
    public static readonly (string District, string School, string Name, string[] Devices, string Bollard)[] Schools =
    [
        ("郑州", "zz-001", "郑州市第一中学", ["zz-001-gate1", "zz-001-gate2"], BollardPosition.Up),
        ("郑州", "zz-002", "郑州市金水区实验小学", ["zz-002-gate1"], BollardPosition.Up),
        ("郑州", "zz-003", "巩义市第二中学", ["zz-003-gate1"], BollardPosition.Fault),
        ("洛阳", "ly-001", "洛阳市第一高级中学", ["ly-001-gate1"], BollardPosition.None),
        ("洛阳", "ly-002", "洛阳市西工区实验小学", [OfflineVictim], BollardPosition.None),
        ("开封", "kf-001", "开封市第二十五中学", ["kf-001-gate1"], BollardPosition.Up),
        ("开封", "kf-002", "开封市龙亭区实验小学", ["kf-002-gate1"], BollardPosition.Up),
        ("开封", "kf-003", "开封市第五中学", [], BollardPosition.None),
    ];

    /// <summary>Devices whose alarm or test the police acknowledged, and how many days ago.</summary>
    public static readonly (string Device, string School, int DaysAgo)[] PoliceAcks =
    [
        ("zz-001-gate1", "zz-001", 3), ("zz-003-gate1", "zz-003", 3), ("ly-001-gate1", "ly-001", 5),
        ("zz-002-gate1", "zz-002", 40), ("kf-001-gate1", "kf-001", 2),
    ];

    public async Task InitializeAsync()
    {
        StatusPageSite.Start(Host);
        foreach (var (district, school, name, devices, bollard) in Schools)
        {
            Host.Get<Gate.Server.Devices.DeviceRegistry>().UpsertSchool(new Gate.Server.Devices.School(school, name, district, $"河南省{district}市", null, null, null));
            foreach (var device in devices)
            {
                var secret = Host.Get<Gate.Server.Devices.DeviceRegistry>().Register(device, school, "gate", 300)!.Value.Secret;
                Placements.AddPlacement(new DevicePlacement(device, "esp32-devkitc", device.EndsWith("gate2", StringComparison.Ordinal) ? "南门" : "北门",
                    PlacementStatus.Active, null, null, null, null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "installer"));
                if (device == "kf-002-gate1")
                {
                    continue; // registered, never connected
                }

                var gate = StatusPageSite.NewGate(school, device, secret);
                gate.Bollard = bollard;
                gate.Rssi = device.StartsWith("kf", StringComparison.Ordinal) ? -83 : -55 - device.Length;
                gate.Firmware = device.StartsWith("zz-001", StringComparison.Ordinal) ? "1.4.1" : "1.4.2";
                await gate.ConnectAnnouncedAsync(Host.BrokerPort);
                for (var i = 0; i < 24; i++)
                {
                    if (device == "zz-001-gate2" && i is 9 or 17)
                    {
                        gate.LoseHeartbeats(2);
                    }

                    await gate.HeartbeatAsync(intervalSeconds: 300, outbox: device == "zz-001-gate2" ? 1 : 0);
                }

                _gates[device] = gate;
            }
        }

        // A gate that was swapped out: history, never a tile or a campus's controller.
        Host.Get<Gate.Server.Devices.DeviceRegistry>().Register(Replaced, "zz-001", "gate", 300);
        Placements.AddPlacement(new DevicePlacement(Replaced, "esp32-devkitc", "北门", PlacementStatus.Replaced, null, "zz-001-gate1", "board died",
            DateTimeOffset.UtcNow, "tech", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(-400), "installer"));

        var tracker = Host.Services.GetRequiredService<LivenessTracker>();
        await Host.WaitUntilAsync(() => _gates.Keys.All(id => tracker.Find(id) is { State: LivenessState.Online, Marks.Count: 24 }), "every gate online");

        await _gates["kf-001-gate1"].PowerCutAsync();
        await Host.WaitUntilAsync(() => tracker.Find("kf-001-gate1")?.State == LivenessState.Offline, "kf-001-gate1 offline");

        SeedPoliceAcks(Host.Services.GetRequiredService<GateDatabase>());
        Browser = await Browser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var gate in _gates.Values)
        {
            await gate.DisposeAsync();
        }

        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        Host.Dispose();
    }

    /// <summary>Past periodic tests acknowledged by the police, as the forwarding feature would have recorded them.</summary>
    private static void SeedPoliceAcks(GateDatabase database)
    {
        using var connection = database.Open();
        var seq = 0;
        foreach (var (device, school, daysAgo) in PoliceAcks)
        {
            seq++;
            var raised = DateTimeOffset.UtcNow.AddDays(-daysAgo);
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO alarms(id, device_id, school_id, kind, zone, boot, seq, restore, is_test, count, raised_at, received_at, stage, status,
                                   forwarded_at, police_ack_at, resolved_at, resolved_by)
                VALUES ($id, $d, $s, 'periodic_test', 0, 1, $seq, 0, 1, 1, $t, $t, 'police_ack', 'resolved', $t, $ack, $ack, 'server');
                """;
            command.Parameters.AddWithValue("$id", $"{device}.1.{seq}");
            command.Parameters.AddWithValue("$d", device);
            command.Parameters.AddWithValue("$s", school);
            command.Parameters.AddWithValue("$seq", seq);
            command.Parameters.AddWithValue("$t", StoredTime.Format(raised));
            command.Parameters.AddWithValue("$ack", StoredTime.Format(raised.AddSeconds(2)));
            command.ExecuteNonQuery();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class LiveSiteCollection : ICollectionFixture<LiveSiteFixture>
{
    public const string Name = "live site";
}

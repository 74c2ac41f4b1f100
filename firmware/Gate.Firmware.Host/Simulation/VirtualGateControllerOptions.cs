using System.Text.Json.Nodes;
using Gate.Firmware.Storage;

namespace Gate.Firmware.Host.Simulation;

/// <summary>How to build one virtual gate controller.</summary>
public sealed class VirtualGateControllerOptions
{
    public string BrokerHost { get; set; } = "127.0.0.1";

    public int BrokerPort { get; set; } = 1883;

    public bool Tls { get; set; }

    public string School { get; set; } = "school-sim";

    public string Device { get; set; } = "sim-00001";

    /// <summary>The device's MQTT password (username and client id are the device id).</summary>
    public string Credential { get; set; } = "sim";

    /// <summary>5..300, jittered by the core by +-10 %.</summary>
    public int HeartbeatSeconds { get; set; } = 30;

    /// <summary>Hold time before a press counts; the device default is 500 ms.</summary>
    public int PanicHoldMs { get; set; } = 500;

    /// <summary>Seconds after received within which forwarded or police_ack must arrive before the light shows "not at the police".</summary>
    public int PoliceWaitSeconds { get; set; } = 10;

    /// <summary>0 turns the periodic self-test off; null keeps the daily default.</summary>
    public int? SelfTestHours { get; set; }

    public string Board { get; set; } = BoardFiles.DevKitC;

    /// <summary>Where the controller's flash lives; null: in memory (survives Restart, not the process).</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Explicit storage (wins over DataDirectory), e.g. to share one between two controller lives.</summary>
    public IFlashStorage? Storage { get; set; }

    /// <summary>A complete device configuration file; when set, the properties above except storage are ignored.</summary>
    public string? ConfigJson { get; set; }

    /// <summary>The ticker that polls this controller; null: GateTicker.Shared.</summary>
    public GateTicker? Ticker { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    public string Firmware { get; set; } = "gate-sim/1.0";

    /// <summary>How long the simulated bollard takes to travel when its relay changes.</summary>
    public TimeSpan BollardTravel { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The device configuration file these options stand for.</summary>
    public string ToConfigJson()
    {
        if (ConfigJson is not null)
        {
            return ConfigJson;
        }

        var json = new JsonObject
        {
            ["v"] = 1,
            ["device"] = Device,
            ["school"] = School,
            ["credential"] = Credential,
            ["board"] = Board,
            ["broker"] = new JsonObject { ["host"] = BrokerHost, ["port"] = BrokerPort, ["tls"] = Tls },
            ["heartbeat_s"] = HeartbeatSeconds,
            ["police_wait_s"] = PoliceWaitSeconds,
            ["panic"] = new JsonObject { ["hold_ms"] = PanicHoldMs },
        };
        if (SelfTestHours is int hours)
        {
            json["self_test_h"] = hours;
        }

        return json.ToJsonString();
    }
}

namespace Gate.Firmware.Core.Tests;

public class ConfigTests
{
    private const string Minimal = "{\"v\":1,\"device\":\"gate-01\",\"school\":\"school-07\",\"credential\":\"s3cret\",\"board\":\"esp32-devkitc\",\"broker\":{\"host\":\"gw.example.cn\"}}";

    [Fact]
    public void DeviceConfig_Minimal_TakesDefaults()
    {
        Assert.True(DeviceConfig.TryParse(Minimal, out var c, out var error), error);
        Assert.Equal(("gate-01", "school-07", "gw.example.cn", 1883, false), (c.Device, c.School, c.BrokerHost, c.BrokerPort, c.BrokerTls));
        Assert.Equal((30, 500, 24, 900), (c.HeartbeatSeconds, c.PanicHoldMs, c.SelfTestHours, c.RebootAfterOfflineSeconds));
    }

    [Fact]
    public void DeviceConfig_Full_ReadsEverySection()
    {
        var json = """
        {
          "v": 1, "device": "gate-01", "school": "school-07", "credential": "s3cret", "board": "olimex-esp32-poe-iso",
          "broker": { "host": "gw.example.cn", "port": 8883, "tls": true },
          "network": { "kind": "wifi", "ssid": "school", "password": "pw", "ntp": "ntp.aliyun.com" },
          "heartbeat_s": 60, "self_test_h": 12, "drill_timeout_min": 30, "reboot_after_offline_s": 600, "outbox_capacity": 32,
          "panic": { "hold_ms": 1500, "silent": true, "loop": { "short_below_mv": 200, "normal_below_mv": 1200, "alarm_below_mv": 2500, "settle_ms": 300 } },
          "bollard": { "travel_timeout_ms": 20000 }, "barrier": { "authorise_window_ms": 60000 },
          "battery": { "low_mv": 11800, "hysteresis_mv": 300, "divider": 4.3 },
          "pins": { "duress": null, "panic": 15 },
          "inputs": { "tamper": { "active_low": false, "filters": ["delayed_on:200"] } }
        }
        """;
        Assert.True(DeviceConfig.TryParse(json, out var c, out var error), error);
        Assert.Equal((8883, true, "school", "ntp.aliyun.com"), (c.BrokerPort, c.BrokerTls, c.WifiSsid, c.NtpServer));
        Assert.Equal((60, 12, 30, 600, 32), (c.HeartbeatSeconds, c.SelfTestHours, c.DrillTimeoutMinutes, c.RebootAfterOfflineSeconds, c.OutboxCapacity));
        Assert.Equal((1500, true, 200, 1200, 2500, 300), (c.PanicHoldMs, c.PanicSilent, c.LoopShortBelowMv, c.LoopNormalBelowMv, c.LoopAlarmBelowMv, c.LoopSettleMs));
        Assert.Equal((20000, 60000, 11800, 300, 4.3), (c.BollardTravelMs, c.BarrierWindowMs, c.BatteryLowMv, c.BatteryHysteresisMv, c.BatteryDivider));
        Assert.Equal(-1, (int)c.PinOverrides["duress"]!);
        Assert.False((bool)c.ActiveLow["tamper"]!);
        Assert.True(c.TryResolvePins(Boards.Read("olimex-esp32-poe-iso"), out var pins, out error), error);
        Assert.Equal((15, -1), (pins.Pin("panic"), pins.Pin("duress")));
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("[1]", "must be a JSON object")]
    [InlineData("{\"v\":2}", "v must be 1, got 2")]
    [InlineData("{\"v\":1,\"school\":\"s\",\"credential\":\"c\",\"board\":\"b\",\"broker\":{\"host\":\"h\"}}", "device is required")]
    [InlineData("{\"v\":1,\"device\":\"Gate 01\",\"school\":\"s\",\"credential\":\"c\",\"board\":\"b\",\"broker\":{\"host\":\"h\"}}", "device must be 1..32 of a-z")]
    [InlineData("{\"v\":1,\"device\":\"d\",\"school\":\"s\",\"credential\":\"c\",\"board\":\"b\"}", "broker is required")]
    [InlineData("{\"v\":1,\"device\":\"d\",\"school\":\"s\",\"credential\":\"c\",\"board\":\"b\",\"broker\":{\"host\":\"h\",\"port\":0}}", "broker.port must be 1..65535, got 0")]
    [InlineData("{\"v\":1,\"device\":\"d\",\"school\":\"s\",\"credential\":\"c\",\"board\":\"b\",\"broker\":{\"host\":\"h\"},\"heartbeat_s\":3}", "heartbeat_s must be 5..300, got 3")]
    [InlineData("{\"v\":1,\"device\":\"d\",\"school\":\"s\",\"credential\":\"c\",\"board\":\"b\",\"broker\":{\"host\":\"h\"},\"heartbeat_s\":\"30\"}", "heartbeat_s must be a whole number")]
    [InlineData("{\"v\":1,\"device\":\"d\",\"school\":\"s\",\"credential\":\"c\",\"board\":\"b\",\"broker\":{\"host\":\"h\"},\"network\":{\"kind\":\"wifi\"}}", "network.ssid is required")]
    [InlineData("{\"v\":1,\"device\":\"d\",\"school\":\"s\",\"credential\":\"c\",\"board\":\"b\",\"broker\":{\"host\":\"h\"},\"pins\":{\"siren\":4}}", "pins.siren is not a gate function")]
    [InlineData("{\"v\":1,\"device\":\"d\",\"school\":\"s\",\"credential\":\"c\",\"board\":\"b\",\"broker\":{\"host\":\"h\"},\"pins\":{\"panic\":40}}", "pins.panic must be a GPIO number 0..39")]
    [InlineData("{\"v\":1,\"device\":\"d\",\"school\":\"s\",\"credential\":\"c\",\"board\":\"b\",\"broker\":{\"host\":\"h\"},\"inputs\":{\"tamper\":{\"filters\":[\"blur:5\"]}}}", "inputs.tamper.filters: unknown filter 'blur'")]
    [InlineData("{\"v\":1,\"device\":\"d\",\"school\":\"s\",\"credential\":\"c\",\"board\":\"b\",\"broker\":{\"host\":\"h\"},\"panic\":{\"loop\":{\"short_below_mv\":2000}}}", "panic.loop thresholds must rise")]
    public void DeviceConfig_Invalid_ReasonNamesTheField(string json, string expected)
    {
        Assert.False(DeviceConfig.TryParse(json, out var c, out var error));
        Assert.Null(c);
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("{\"panic\":34,\"led\":34}", "led: GPIO34 is already used by panic")]
    [InlineData("{\"led\":35}", "led is an output but GPIO35 is input-only")]
    [InlineData("{\"buzzer\":20}", "buzzer: esp32-devkitc has no GPIO20")]
    [InlineData("{\"tamper\":6}", "tamper: GPIO6 is taken by spi_flash")]
    [InlineData("{\"battery\":5}", "battery is read as a voltage but GPIO5 has no ADC1")]
    [InlineData("{\"panic_loop\":36}", "panic and panic_loop are two ways")]
    [InlineData("{\"panic\":null}", "no panic button")]
    public void BoardPins_BadOverride_ErrorNamesTheProblem(string pins, string expected)
    {
        var json = Minimal[..^1] + ",\"pins\":" + pins + "}";
        Assert.True(DeviceConfig.TryParse(json, out var c, out var error), error);
        Assert.False(c.TryResolvePins(Boards.Read("esp32-devkitc"), out _, out error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Inputs_Polarity_BoardDefaultActiveLowUnlessConfigured()
    {
        var json = Minimal[..^1] + ",\"inputs\":{\"mains\":{\"active_low\":false}}}";
        Assert.True(DeviceConfig.TryParse(json, out var c, out var error), error);
        Assert.True(c.TryResolvePins(Boards.Read("esp32-devkitc"), out var pins, out error), error);
        Assert.True(c.IsActiveLow(GateFunction.Panic, pins));
        Assert.False(c.IsActiveLow(GateFunction.Mains, pins));

        var panic = c.CreateInput(GateFunction.Panic, pins);
        panic.Prime(true);
        Assert.False(panic.State); // pulled up, contact open: not pressed
        panic.Update(false, 0);
        panic.Update(false, 60);
        Assert.True(panic.State);
    }

    [Fact]
    public void BoardPins_EthernetPinOnPoeIso_Refused()
    {
        var json = Minimal.Replace("esp32-devkitc", "olimex-esp32-poe-iso")[..^1] + ",\"pins\":{\"buzzer\":23}}";
        Assert.True(DeviceConfig.TryParse(json, out var c, out var error), error);
        Assert.False(c.TryResolvePins(Boards.Read("olimex-esp32-poe-iso"), out _, out error));
        Assert.Contains("GPIO23 is taken by ethernet_mdc", error);
    }

    [Fact]
    public void BoardPins_ConfigForOtherBoard_Refused()
    {
        Assert.True(DeviceConfig.TryParse(Minimal, out var c, out _));
        Assert.False(c.TryResolvePins(Boards.Read("olimex-esp32-poe-iso"), out _, out var error));
        Assert.Contains("configuration is for board esp32-devkitc but the board file is olimex-esp32-poe-iso", error);
    }

    [Theory]
    [InlineData("esp32-devkitc")]
    [InlineData("olimex-esp32-poe-iso")]
    public void BoardFile_AsShipped_ParsesAndDefaultsAreValid(string name)
    {
        Assert.True(BoardDefinition.TryParse(Boards.Read(name), out var board, out var error), error);
        Assert.Equal(name, board.Name);
        Assert.True(BoardPins.TryResolve(board, null, out var pins, out error), error);
        Assert.True(pins.IsFitted(GateFunction.Panic));
        Assert.True(pins.IsFitted(GateFunction.Led));
    }

    [Fact]
    public void BoardFile_DefaultsUsingOneGpioTwice_Refused()
    {
        var json = Boards.Read("esp32-devkitc").Replace("\"duress\": 26", "\"duress\": 25");
        Assert.False(BoardDefinition.TryParse(json, out _, out var error));
        Assert.Contains("GPIO25 is already used by panic", error);
    }

    [Fact]
    public void Projitems_ListsEveryCoreSourceFile()
    {
        var folder = Path.Combine(VectorTests.RepoRoot(), "firmware", "Gate.Firmware.Core");
        var items = File.ReadAllText(Path.Combine(folder, "Gate.Firmware.Core.projitems"));
        var listed = System.Text.RegularExpressions.Regex.Matches(items, "\\$\\(MSBuildThisFileDirectory\\)([^\"]+)\"")
            .Select(m => m.Groups[1].Value.Replace('\\', '/')).Order().ToList();
        var files = Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).Where(f => !f.StartsWith("bin/") && !f.StartsWith("obj/")).Order().ToList();
        Assert.Equal(files, listed);
    }
}

public class BootstrapTests
{
    [Fact]
    public void Bootstrap_MissingOrInvalidFiles_ReasonNamesTheFile()
    {
        var flash = new MemoryFlashStorage();
        Assert.False(GateBootstrap.TryLoad(flash, out _, out _, out var error));
        Assert.Equal("gate.json is missing on the internal flash", error);

        flash.Write("gate.json", System.Text.Encoding.UTF8.GetBytes(ControllerRig.ConfigJson()));
        Assert.False(GateBootstrap.TryLoad(flash, out _, out _, out error));
        Assert.Equal("board.json is missing on the internal flash", error);
        Assert.Equal(-1, GateBootstrap.TroubleLedPin(flash));

        flash.Write("board.json", System.Text.Encoding.UTF8.GetBytes(Boards.Read("olimex-esp32-poe-iso")));
        Assert.False(GateBootstrap.TryLoad(flash, out _, out _, out error));
        Assert.Contains("board.json: configuration is for board esp32-devkitc", error);
        Assert.Equal(2, GateBootstrap.TroubleLedPin(flash));

        flash.Write("board.json", System.Text.Encoding.UTF8.GetBytes(Boards.Read("esp32-devkitc")));
        Assert.True(GateBootstrap.TryLoad(flash, out var config, out var pins, out error), error);
        Assert.Equal("gate-01", config.Device);
        Assert.Equal(25, pins.Pin(GateFunction.Panic));

        flash.Write("gate.json", "{\"v\":1}"u8.ToArray());
        Assert.False(GateBootstrap.TryLoad(flash, out _, out _, out error));
        Assert.StartsWith("gate.json: device is required", error);
    }
}

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gate.Contracts;
using Gate.Firmware.Config;

namespace Gate.Server.Provisioning;

/// <summary>One file of a bundle: its name in the bundle folder, where nanoff writes it on the device (null: not deployed).</summary>
public sealed record BundleFile(string Name, string? DevicePath, string Content);

/// <summary>Everything an installer needs to put one device on the air: files, and the command lines that flash them.</summary>
public sealed record ConfigBundle(
    string DeviceId,
    string SchoolId,
    string Board,
    IReadOnlyList<BundleFile> Files,
    IReadOnlyList<string> Commands,
    IReadOnlyList<string> Warnings)
{
    public BundleFile File(string name) => Files.First(f => f.Name == name);
}

/// <summary>What the installer chooses for one bundle; everything else comes from the registry and the options.</summary>
public sealed record BundleRequest(
    string? SerialPort = null,
    string? WifiSsid = null,
    string? WifiPassword = null,
    IReadOnlyDictionary<string, int?>? Pins = null);

/// <summary>The device's place in the registry, as the bundle needs it.</summary>
/// <param name="HasHistory">The device id has been on the air (heartbeats or alarms): its flash must not be mass-erased.</param>
public sealed record BundleDevice(string DeviceId, string SchoolId, string Role, int HeartbeatSeconds, bool HasHistory = false);

/// <summary>
/// Builds a device's configuration bundle and refuses to hand out one the controller would reject: the gate.json it
/// writes goes through the firmware's own DeviceConfig.TryParse and pin resolution against the board file first.
/// </summary>
public static class ConfigBundleBuilder
{
    public const string ConfigFile = "gate.json";
    public const string BoardFile = "board.json";
    public const string CaFile = "ca.pem";
    public const string InstructionsFile = "FLASH.txt";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static bool TryBuild(
        BundleDevice device,
        BoardEntry board,
        string credential,
        BundleRequest request,
        ProvisioningOptions options,
        string? caPem,
        out ConfigBundle bundle,
        out string error)
    {
        bundle = null!;
        if (board.Profile is null)
        {
            error = $"board '{board.Id}' has no flashing profile (nanoff target, battery scaling) in Provisioning/BoardProfile.cs";
            return false;
        }

        if (string.IsNullOrWhiteSpace(board.NanoffTarget))
        {
            error = $"board file {board.FileName} names no nanoff_target: cannot print the flashing commands";
            return false;
        }

        var port = string.IsNullOrWhiteSpace(request.SerialPort) ? options.DefaultSerialPort : request.SerialPort.Trim();
        if (!NanoffCommandLines.IsValidSerialPort(port))
        {
            error = $"serial port '{port}' is not a port name (e.g. COM5 or /dev/ttyUSB0)";
            return false;
        }

        if (options.BrokerTls && string.IsNullOrEmpty(caPem))
        {
            error = "the broker uses TLS but no CA certificate is configured (Provisioning:CaCertificatePath)";
            return false;
        }

        var ethernet = board.Network == "ethernet";
        if (!ethernet && string.IsNullOrWhiteSpace(request.WifiSsid))
        {
            error = $"board '{board.Id}' connects over Wi-Fi: give the school network's SSID (wifi_ssid)";
            return false;
        }

        var config = BuildConfig(device, board, credential, request, options, ethernet);
        var json = config.ToJsonString(Indented);

        // The controller runs exactly this parser at boot; a bundle it would refuse is a bundle we do not issue.
        if (!DeviceConfig.TryParse(json, out var parsed, out var parseError))
        {
            error = $"configuration for '{device.DeviceId}' is invalid: {parseError}";
            return false;
        }

        if (!parsed.TryResolvePins(board.Definition, out var pins, out var pinError))
        {
            error = $"pin map for '{device.DeviceId}' on {board.Id}: {pinError}";
            return false;
        }

        var files = new List<BundleFile>
        {
            new(ConfigFile, NanoffCommandLines.DeviceConfigPath, json),
            new(BoardFile, NanoffCommandLines.DeviceBoardPath, board.Json),
        };
        if (!string.IsNullOrEmpty(caPem))
        {
            files.Add(new BundleFile(CaFile, NanoffCommandLines.DeviceCaPath, caPem));
        }

        files.Add(new BundleFile(NanoffCommandLines.FileDeploymentList, null, FileDeploymentJson(port, files)));
        options.ClrFiles.TryGetValue(board.Id, out var clrFile);
        var commands = NanoffCommandLines.For(board.NanoffTarget, clrFile, port, options.ApplicationImage, options.FirmwareVersion, massErase: !device.HasHistory);
        files.Add(new BundleFile(InstructionsFile, null, Instructions(device, board, commands, clrFile, options.ApplicationImage, files)));

        bundle = new ConfigBundle(device.DeviceId, device.SchoolId, board.Id, files, commands, pins.Warnings);
        error = "";
        return true;
    }

    private static JsonObject BuildConfig(BundleDevice device, BoardEntry board, string credential, BundleRequest request, ProvisioningOptions options, bool ethernet)
    {
        var profile = board.Profile!;
        var network = new JsonObject { ["kind"] = ethernet ? "ethernet" : "wifi", ["ntp"] = options.NtpServer };
        if (!ethernet)
        {
            network["ssid"] = request.WifiSsid!.Trim();
            if (!string.IsNullOrEmpty(request.WifiPassword))
            {
                network["password"] = request.WifiPassword;
            }
        }

        // Every digital input's polarity is written out, so a board file's inputs_active_low default cannot
        // silently invert a contact Gate wires the other way (hardware/wiring.md).
        var inputs = new JsonObject();
        foreach (var (function, activeLow) in profile.ActiveLow.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            inputs[function] = new JsonObject { ["active_low"] = activeLow };
        }

        var config = new JsonObject
        {
            ["v"] = DeviceConfig.FormatVersion,
            ["device"] = device.DeviceId,
            ["school"] = device.SchoolId,
            ["role"] = device.Role,
            ["credential"] = credential,
            ["board"] = board.Id,
            ["broker"] = new JsonObject { ["host"] = options.BrokerHost, ["port"] = options.BrokerPort, ["tls"] = options.BrokerTls },
            ["network"] = network,
            ["heartbeat_s"] = Math.Clamp(device.HeartbeatSeconds, Limits.MinHeartbeatSeconds, Limits.MaxHeartbeatSeconds),
            ["police_wait_s"] = options.PoliceWaitSeconds,
            ["panic"] = new JsonObject
            {
                ["loop"] = new JsonObject
                {
                    ["short_below_mv"] = BoardProfile.LoopShortBelowMv,
                    ["normal_below_mv"] = BoardProfile.LoopNormalBelowMv,
                    ["alarm_below_mv"] = BoardProfile.LoopAlarmBelowMv,
                    ["settle_ms"] = BoardProfile.LoopSettleMs,
                },
            },
            ["battery"] = new JsonObject
            {
                ["low_mv"] = profile.BatteryLowMv,
                ["hysteresis_mv"] = profile.BatteryHysteresisMv,
                ["divider"] = profile.BatteryDivider,
            },
            ["inputs"] = inputs,
        };

        // Gate's wiring (the supervised loop) first, then what the installer actually wired, if different.
        var overrides = new Dictionary<string, int?>(profile.PinOverrides, StringComparer.Ordinal);
        foreach (var (function, pin) in request.Pins ?? new Dictionary<string, int?>())
        {
            overrides[function] = pin;
        }

        if (overrides.Count > 0)
        {
            var pins = new JsonObject();
            foreach (var (function, pin) in overrides.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                pins[function] = pin is { } p ? JsonValue.Create(p) : null;
            }

            config["pins"] = pins;
        }

        return config;
    }

    private static string FileDeploymentJson(string port, IEnumerable<BundleFile> files)
    {
        // nanoff's --filedeployment format: SerialPort and Files[] of SourceFilePath -> DestinationFilePath.
        // Source paths are relative: nanoff is run from the bundle folder (FLASH.txt says so).
        var list = new JsonArray();
        foreach (var file in files.Where(f => f.DevicePath is not null))
        {
            list.Add(new JsonObject { ["DestinationFilePath"] = file.DevicePath, ["SourceFilePath"] = file.Name });
        }

        return new JsonObject { ["SerialPort"] = port, ["Files"] = list }.ToJsonString(Indented);
    }

    private static string Instructions(BundleDevice device, BoardEntry board, IReadOnlyList<string> commands, string? clrFile, string applicationImage, IEnumerable<BundleFile> files)
    {
        var text = new StringBuilder();
        text.AppendLine($"Gate controller {device.DeviceId} (school {device.SchoolId}, role {device.Role}), board {board.Id}: {board.Title}");
        text.AppendLine();
        text.AppendLine("This folder holds: " + string.Join(", ", files.Select(f => f.Name).Append(InstructionsFile)) + ".");

        // The bundle is made per device by the server; the application image is built once per firmware release on a
        // machine with the nanoFramework toolchain (firmware/README.md), so it is never in here: say so, and where from.
        text.AppendLine($"It does not hold {applicationImage}, the application image step 2 deploys: copy it into this folder first,");
        text.AppendLine("from the firmware release you install (built on a machine with the nanoFramework toolchain, firmware/README.md).");
        if (!string.IsNullOrWhiteSpace(clrFile))
        {
            text.AppendLine($"Nor {clrFile}, the nanoCLR image step 1 flashes: copy it in as well (hardware/flashing.md says how it is built).");
        }

        text.AppendLine();
        text.AppendLine("Then run from this folder (hardware/flashing.md explains each step):");
        text.AppendLine();
        string[] steps =
        [
            device.HasHistory ? "1. firmware (nanoBooter + nanoCLR)" : "1. firmware (nanoBooter + nanoCLR; erases the flash)",
            "2. application",
            "3. configuration and certificates, then power-cycle the board (it reads gate.json at boot)",
        ];
        for (var i = 0; i < commands.Count; i++)
        {
            text.AppendLine(steps[i]);
            text.AppendLine("   " + commands[i]);
        }

        if (!string.IsNullOrWhiteSpace(clrFile))
        {
            text.AppendLine();
            text.AppendLine($"This board is flashed with a locally built nanoFramework image ({clrFile}), not the published {board.NanoffTarget} image.");
        }

        if (device.HasHistory)
        {
            text.AppendLine();
            text.AppendLine("Do NOT add --masserase: this device id has been on the air. Erasing resets its boot counter, and its next");
            text.AppendLine("alarms would repeat alarm ids the server already holds. A new controller gets a new id (gate-admin device replace).");
        }

        text.AppendLine();
        text.AppendLine("gate.json holds this device's credential in clear: delete this folder after flashing.");
        return text.ToString();
    }
}

using System.Text.Json;

namespace Gate.Provisioning.Tests;

public class ConfigBundleTests
{
    private static readonly BoardCatalog Catalog = BoardCatalog.Load(TestPaths.Boards);
    private static readonly BundleDevice Device = new("xinhua-gate-1", "xinhua-primary", "gate", 30);
    private const string Secret = "s3cr3t-credential-0123456789abcdef";

    private static ProvisioningOptions Options() => new() { BrokerHost = "10.20.0.5", BrokerPort = 1883, FirmwareVersion = "1.12.0.4" };

    private static ConfigBundle Build(string board, BundleRequest? request = null, ProvisioningOptions? options = null)
    {
        Assert.True(Catalog.TryGet(board, out var entry, out var error), error);
        var ok = ConfigBundleBuilder.TryBuild(Device, entry, Secret, request ?? new BundleRequest("/dev/ttyUSB0", "school-sec", "pw"), options ?? Options(), null, out var bundle, out var buildError);
        Assert.True(ok, buildError);
        return bundle;
    }

    [Theory]
    [InlineData("esp32-devkitc")]
    [InlineData("olimex-esp32-poe-iso")]
    public void Bundle_EveryBoard_ParsesWithTheFirmwaresOwnParserAndResolvesPinsOnItsBoardFile(string board)
    {
        var bundle = Build(board);

        var config = bundle.File(ConfigBundleBuilder.ConfigFile).Content;
        Assert.True(DeviceConfig.TryParse(config, out var parsed, out var error), error);
        Assert.True(parsed.TryResolvePins(bundle.File(ConfigBundleBuilder.BoardFile).Content, out var pins, out var pinError), pinError);
        Assert.Equal("xinhua-gate-1", parsed.Device);
        Assert.Equal("xinhua-primary", parsed.School);
        Assert.Equal(Secret, parsed.Credential);
        Assert.Equal("10.20.0.5", parsed.BrokerHost);
        Assert.Equal(board, parsed.Board);
        // Gate wires the panic button as a supervised loop, never as a bare contact.
        Assert.True(pins.IsFitted(GateFunction.PanicLoop));
        Assert.False(pins.IsFitted(GateFunction.Panic));
        Assert.Equal(BoardProfile.LoopShortBelowMv, parsed.LoopShortBelowMv);
        Assert.Equal(BoardProfile.LoopNormalBelowMv, parsed.LoopNormalBelowMv);
        Assert.Equal(BoardProfile.LoopAlarmBelowMv, parsed.LoopAlarmBelowMv);
    }

    [Fact]
    public void Bundle_WifiBoard_CarriesTheNetworkAndBatteryScalingOfTheWiringDocs()
    {
        var parsed = ParseConfig(Build("esp32-devkitc"));

        Assert.Equal("wifi", parsed.Network);
        Assert.Equal("school-sec", parsed.WifiSsid);
        Assert.Equal("pw", parsed.WifiPassword);
        Assert.Equal(7.667, parsed.BatteryDivider, 3);
        Assert.Equal(11500, parsed.BatteryLowMv);
        Assert.True(parsed.IsActiveLow("bollard_up", null));
        Assert.False(parsed.IsActiveLow("tamper", null));
    }

    [Fact]
    public void Bundle_EthernetBoard_NeedsNoWifiAndSaysEthernet()
    {
        Assert.True(Catalog.TryGet("olimex-esp32-poe-iso", out var entry, out _));

        Assert.True(ConfigBundleBuilder.TryBuild(Device, entry, Secret, new BundleRequest("COM5"), Options(), null, out var bundle, out var error), error);

        Assert.Equal("ethernet", ParseConfig(bundle).Network);
    }

    [Fact]
    public void Bundle_WifiBoardWithoutSsid_IsRefusedAskingForIt()
    {
        Assert.True(Catalog.TryGet("esp32-devkitc", out var entry, out _));

        Assert.False(ConfigBundleBuilder.TryBuild(Device, entry, Secret, new BundleRequest("COM5"), Options(), null, out _, out var error));

        Assert.Contains("SSID", error);
    }

    [Fact]
    public void Commands_DevKitC_AreTheThreeNanoffStepsForItsTarget()
    {
        var bundle = Build("esp32-devkitc");

        Assert.Equal(
        [
            "nanoff --target ESP32_REV3 --serialport /dev/ttyUSB0 --update --masserase --fwversion 1.12.0.4",
            "nanoff --target ESP32_REV3 --serialport /dev/ttyUSB0 --deploy --image Gate.Firmware.Esp32.bin",
            "nanoff --serialport /dev/ttyUSB0 --filedeployment deploy-files.json",
        ], bundle.Commands);
    }

    [Fact]
    public void Commands_DeviceIdWithHistory_NeverMassEraseAndSayWhy()
    {
        Assert.True(Catalog.TryGet("esp32-devkitc", out var entry, out _));
        var heard = Device with { HasHistory = true };

        Assert.True(ConfigBundleBuilder.TryBuild(heard, entry, Secret, new BundleRequest("COM5", "ssid"), Options(), null, out var bundle, out var error), error);

        Assert.All(bundle.Commands, c => Assert.DoesNotContain("--masserase", c));
        Assert.Contains("Do NOT add --masserase", bundle.File(ConfigBundleBuilder.InstructionsFile).Content);
    }

    [Fact]
    public void Bundle_EveryDigitalInputPolarity_IsWrittenOutAsWired()
    {
        var parsed = ParseConfig(Build("olimex-esp32-poe-iso", new BundleRequest("COM5")));

        foreach (var function in new[] { "bollard_up", "bollard_down", "mains", "barrier_request" })
        {
            Assert.True(parsed.IsActiveLow(function, null), function + " closes to ground when active");
        }

        foreach (var function in new[] { "tamper", "duress", "bollard_fault", "barrier_open" })
        {
            Assert.False(parsed.IsActiveLow(function, null), function + " opens when active");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Instructions_EveryFileACommandNames_IsInTheBundleOrSaidToBeFetched(bool customClr)
    {
        Assert.True(Catalog.TryGet("olimex-esp32-poe-iso", out var entry, out _));
        var options = Options();
        if (customClr)
        {
            options.ClrFiles["olimex-esp32-poe-iso"] = "nanoCLR-poe-iso.bin";
        }

        Assert.True(ConfigBundleBuilder.TryBuild(Device, entry, Secret, new BundleRequest("COM7"), options, null, out var bundle, out var error), error);
        string instructions = bundle.File(ConfigBundleBuilder.InstructionsFile).Content;
        var named = bundle.Commands.SelectMany(c => System.Text.RegularExpressions.Regex.Matches(c, @"--(?:image|clrfile|filedeployment) (\S+)").Select(m => m.Groups[1].Value)).ToList();
        Assert.Equal(customClr ? 3 : 2, named.Count);
        foreach (string file in named)
        {
            bool inBundle = bundle.Files.Any(f => f.Name == file);
            Assert.True(inBundle || instructions.Contains("does not hold " + file, StringComparison.Ordinal) || instructions.Contains("Nor " + file, StringComparison.Ordinal),
                file + " is named by a command but neither in the bundle nor said to be fetched:\n" + instructions);
        }

        Assert.Contains("does not hold " + options.ApplicationImage, instructions, StringComparison.Ordinal);
        Assert.DoesNotContain(bundle.Files, f => f.Name == options.ApplicationImage);
    }

    [Fact]
    public void Commands_PoeBoard_UseTheBoardFilesTargetAndACustomImageWhenConfigured()
    {
        Assert.True(Catalog.TryGet("olimex-esp32-poe-iso", out var entry, out _));
        var options = Options();
        options.ClrFiles["olimex-esp32-poe-iso"] = "nanoCLR-poe-iso.bin";

        Assert.True(ConfigBundleBuilder.TryBuild(Device, entry, Secret, new BundleRequest("COM7"), options, null, out var bundle, out var error), error);

        Assert.Equal($"nanoff --target {entry.NanoffTarget} --serialport COM7 --update --masserase --clrfile nanoCLR-poe-iso.bin", bundle.Commands[0]);
        Assert.DoesNotContain("--fwversion", bundle.Commands[0]);
        Assert.Contains("nanoCLR-poe-iso.bin", bundle.File(ConfigBundleBuilder.InstructionsFile).Content);
    }

    [Fact]
    public void FileDeployment_ListsConfigBoardAndCaForNanoff()
    {
        Assert.True(Catalog.TryGet("esp32-devkitc", out var entry, out _));
        const string Ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        var options = Options();
        options.BrokerTls = true;
        options.BrokerPort = 8883;

        Assert.True(ConfigBundleBuilder.TryBuild(Device, entry, Secret, new BundleRequest("COM3", "ssid"), options, Ca, out var bundle, out var error), error);

        using var list = JsonDocument.Parse(bundle.File(NanoffCommandLines.FileDeploymentList).Content);
        Assert.Equal("COM3", list.RootElement.GetProperty("SerialPort").GetString());
        var files = list.RootElement.GetProperty("Files").EnumerateArray()
            .Select(f => (f.GetProperty("SourceFilePath").GetString(), f.GetProperty("DestinationFilePath").GetString())).ToList();
        Assert.Equal([("gate.json", @"I:\gate.json"), ("board.json", @"I:\board.json"), ("ca.pem", @"I:\ca.pem")], files);
        Assert.Equal(Ca, bundle.File(ConfigBundleBuilder.CaFile).Content);
        Assert.True(ParseConfig(bundle).BrokerTls);
    }

    [Fact]
    public void Bundle_TlsWithoutCaCertificate_IsRefused()
    {
        Assert.True(Catalog.TryGet("esp32-devkitc", out var entry, out _));
        var options = Options();
        options.BrokerTls = true;

        Assert.False(ConfigBundleBuilder.TryBuild(Device, entry, Secret, new BundleRequest("COM3", "ssid"), options, null, out _, out var error));

        Assert.Contains("CA certificate", error);
    }

    [Theory]
    [InlineData("COM5; rm -rf /")]
    [InlineData("$(reboot)")]
    [InlineData("/dev/tty USB0")]
    public void Bundle_SerialPortThatIsNotAPortName_IsRefusedBeforeItReachesACommandLine(string port)
    {
        Assert.True(Catalog.TryGet("esp32-devkitc", out var entry, out _));

        Assert.False(ConfigBundleBuilder.TryBuild(Device, entry, Secret, new BundleRequest(port, "ssid"), Options(), null, out _, out var error));

        Assert.Contains("not a port name", error);
    }

    [Fact]
    public void Bundle_PinOverrideUsingAPinTwice_IsRefusedNamingThePin()
    {
        Assert.True(Catalog.TryGet("esp32-devkitc", out var entry, out _));
        // The installer says the LED is on the relay's pin.
        var request = new BundleRequest("COM5", "ssid", null, new Dictionary<string, int?> { ["led"] = entry.Definition.DefaultPin("bollard_relay") });

        Assert.False(ConfigBundleBuilder.TryBuild(Device, entry, Secret, request, Options(), null, out _, out var error));

        Assert.Contains($"GPIO{entry.Definition.DefaultPin("bollard_relay")}", error);
        Assert.Contains("already used by", error);
    }

    [Fact]
    public void Bundle_PinOverrideOnAPinTheBoardLacks_IsRefusedNamingThePin()
    {
        Assert.True(Catalog.TryGet("esp32-devkitc", out var entry, out _));
        var request = new BundleRequest("COM5", "ssid", null, new Dictionary<string, int?> { ["buzzer"] = 24 });

        Assert.False(ConfigBundleBuilder.TryBuild(Device, entry, Secret, request, Options(), null, out _, out var error));

        Assert.Contains("GPIO24", error);
    }

    [Fact]
    public void Bundle_PinOverrideOnEthernetPin_IsRefusedSayingWhatTakesIt()
    {
        Assert.True(Catalog.TryGet("olimex-esp32-poe-iso", out var entry, out _));
        var request = new BundleRequest("COM5", null, null, new Dictionary<string, int?> { ["buzzer"] = 18 });

        Assert.False(ConfigBundleBuilder.TryBuild(Device, entry, Secret, request, Options(), null, out _, out var error));

        Assert.Contains("GPIO18", error);
        Assert.Contains("ethernet", error);
    }

    private static DeviceConfig ParseConfig(ConfigBundle bundle)
    {
        Assert.True(DeviceConfig.TryParse(bundle.File(ConfigBundleBuilder.ConfigFile).Content, out var parsed, out var error), error);
        return parsed;
    }
}

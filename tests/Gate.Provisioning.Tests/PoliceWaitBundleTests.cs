namespace Gate.Provisioning.Tests;

/// <summary>The bundle carries how long the device waits for the police before the guard's light says "not at the police".</summary>
public class PoliceWaitBundleTests
{
    private static readonly BoardCatalog Catalog = BoardCatalog.Load(TestPaths.Boards);
    private static readonly BundleDevice Device = new("xinhua-gate-1", "xinhua-primary", "gate", 30);

    private static bool TryBuild(ProvisioningOptions options, out ConfigBundle bundle, out string error)
    {
        Assert.True(Catalog.TryGet("esp32-devkitc", out var entry, out error), error);
        return ConfigBundleBuilder.TryBuild(Device, entry, "s3cr3t-credential-0123456789abcdef", new BundleRequest("/dev/ttyUSB0", "school-sec", "pw"), options, null, out bundle, out error);
    }

    [Theory]
    [InlineData(null, 10)]
    [InlineData(25, 25)]
    public void Bundle_PoliceWait_WrittenIntoGateJsonAndReadByTheDevice(int? configured, int expected)
    {
        var options = new ProvisioningOptions { BrokerHost = "10.20.0.5" };
        if (configured is int s)
        {
            options.PoliceWaitSeconds = s;
        }

        Assert.True(TryBuild(options, out var bundle, out var error), error);

        var json = bundle.File(ConfigBundleBuilder.ConfigFile).Content;
        Assert.Equal(expected, JsonNode.Parse(json)!["police_wait_s"]!.GetValue<int>());
        Assert.True(DeviceConfig.TryParse(json, out var parsed, out error), error);
        Assert.Equal(expected, parsed.PoliceWaitSeconds);
    }

    [Fact]
    public void Bundle_PoliceWaitOutOfRange_IsRefusedNamingTheField()
    {
        var options = new ProvisioningOptions { BrokerHost = "10.20.0.5", PoliceWaitSeconds = 0 };

        Assert.False(TryBuild(options, out _, out var error));

        Assert.Contains("police_wait_s must be 1..600, got 0", error, StringComparison.Ordinal);
    }
}

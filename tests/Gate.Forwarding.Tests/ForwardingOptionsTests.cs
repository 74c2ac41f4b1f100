using Microsoft.Extensions.Options;

namespace Gate.Forwarding.Tests;

public class ForwardingOptionsTests
{
    private static ValidateOptionsResult Validate(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var options = new ForwardingOptions();
        configuration.GetSection(ForwardingOptions.Section).Bind(options);
        return new ForwardingOptionsValidator().Validate(null, options);
    }

    [Fact]
    public void Validate_GoodDualPathConfig_Succeeds()
    {
        var result = Validate(new()
        {
            ["Forwarding:Primary:Host"] = "10.0.0.5",
            ["Forwarding:Primary:Port"] = "12000",
            ["Forwarding:Primary:Key"] = "00112233445566778899AABBCCDDEEFF",
            ["Forwarding:Backup:Host"] = "10.0.0.6",
            ["Forwarding:Backup:Port"] = "12000",
            ["Forwarding:Backup:Transport"] = "udp",
            ["Forwarding:SupervisionInterval"] = "00:00:20",
        });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("Forwarding:Primary:Port", "0", "Forwarding:Primary:Port must be 1-65535")]
    [InlineData("Forwarding:Primary:Transport", "sctp", "Forwarding:Primary:Transport must be 'tcp' or 'udp'")]
    [InlineData("Forwarding:Primary:Key", "0011", "Forwarding:Primary:Key must be 32, 48 or 64 hex digits")]
    [InlineData("Forwarding:Primary:Receiver", "XYZ", "Forwarding:Primary:Receiver must be 1-6 hex digits")]
    [InlineData("Forwarding:SupervisionInterval", "00:00:05", "EN 50136-1")]
    [InlineData("Forwarding:SupervisionInterval", "2.00:00:00", "EN 50136-1")]
    [InlineData("Forwarding:Retry:InitialDelay", "00:05:00", "Forwarding:Retry:InitialDelay")]
    public void Validate_BadValue_NamesTheSettingAndTheRule(string key, string value, string message)
    {
        var values = new Dictionary<string, string?>
        {
            ["Forwarding:Primary:Host"] = "10.0.0.5",
            ["Forwarding:Primary:Port"] = "12000",
            [key] = value,
        };

        var result = Validate(values);

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage);
    }

    [Fact]
    public void Validate_WebhookWithShortSecret_Fails()
    {
        var result = Validate(new()
        {
            ["Forwarding:Webhook:Url"] = "https://platform.example/alarms",
            ["Forwarding:Webhook:Secret"] = "short",
        });

        Assert.Contains("Forwarding:Webhook:Secret must be at least 16 characters", result.FailureMessage);
    }

    [Fact]
    public async Task AddForwarding_InvalidConfig_FailsAtStartWithTheMessage()
    {
        await using var fx = new ForwardingFixture();
        var config = ForwardingFixture.Config();
        config["Forwarding:Primary:Host"] = "";
        config["Forwarding:Primary:Port"] = "12000";

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => fx.StartAsync(config));

        Assert.Contains("Forwarding:Primary:Host", error.Message);
    }

    [Fact]
    public void AddForwarding_NothingConfigured_StillStartsWithDefaults()
    {
        var services = new ServiceCollection();
        services.AddForwarding(new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ForwardingOptions>>().Value;

        Assert.False(options.AnyPathConfigured);
        Assert.Equal(TimeSpan.FromSeconds(90), options.SupervisionInterval);
    }
}

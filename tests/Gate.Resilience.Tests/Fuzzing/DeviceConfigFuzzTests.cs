using FsCheck;
using FsCheck.Xunit;
using Gate.Firmware.Config;

namespace Gate.Resilience.Tests.Fuzzing;

/// <summary>
/// The device configuration parser runs on the controller at every boot; a crash there is a boot loop at a school
/// gate. Mutated configuration files must come back as "false plus one sentence", never as an exception.
/// </summary>
public sealed class DeviceConfigFuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 20_000;

    private static readonly string[] Seeds =
    [
        """{"v":1,"device":"gate-01","school":"zz-school","credential":"s3cret","board":"esp32-devkitc","broker":{"host":"127.0.0.1","port":1883}}""",
        """{"v":1,"device":"gate-01","school":"zz-school","credential":"s3cret","board":"esp32-devkitc","broker":{"host":"gate.example","tls":true},"network":{"kind":"wifi","ssid":"school","password":"pw","ntp":"ntp.example"},"heartbeat_s":30,"self_test_h":24,"drill_timeout_min":60,"reboot_after_offline_s":900,"outbox_capacity":64,"panic":{"hold_ms":500,"silent":false,"loop":{"short_below_mv":300,"normal_below_mv":1300,"alarm_below_mv":2400,"settle_ms":200}}}""",
        """{"v":1,"device":"gate-02","school":"zz-school","credential":"x","board":"esp32-devkitc","broker":{"host":"10.0.0.1"},"network":{"kind":"ethernet"},"bollard":{"travel_ms":15000},"barrier":{"window_ms":30000},"battery":{"low_mv":11500,"hysteresis_mv":400,"divider":5.0},"pins":{"panic":4,"tamper":-1},"filters":{"tamper":["invert","delayed_on:200"]},"active_low":{"panic":true}}""",
    ];

    [Fact]
    public async Task TryParse_MutatedConfigFiles_NeverThrowsAndExplainsEveryRefusal()
    {
        foreach (var seed in Seeds.Take(2))
        {
            Assert.True(DeviceConfig.TryParse(seed, out _, out var error), "seed must be valid: " + error);
        }

        var fuzzer = new MutationFuzzer(seed: 1883, Seeds.Select(Encoding.UTF8.GetBytes).ToList());
        int accepted = 0, refused = 0;
        await Task.Run(() =>
        {
            for (var i = 0; i < Inputs; i++)
            {
                // The file is read as UTF-8 text on the device; invalid sequences become U+FFFD there too.
                var text = Encoding.UTF8.GetString(fuzzer.Next(4000));
                bool ok;
                DeviceConfig? config;
                string? error;
                try
                {
                    ok = DeviceConfig.TryParse(text, out config, out error);
                }
                catch (Exception e)
                {
                    throw new Xunit.Sdk.XunitException($"DeviceConfig.TryParse threw {e.GetType().Name} on: {text}\n{e}");
                }

                if (ok)
                {
                    accepted++;
                    Assert.NotNull(config);
                }
                else
                {
                    refused++;
                    Assert.False(string.IsNullOrWhiteSpace(error), "a refusal must say why: " + text);
                }
            }
        }).WaitAsync(TimeSpan.FromSeconds(120));

        output.WriteLine($"device config: {Inputs} mutated inputs, {accepted} accepted, {refused} refused with a reason");
        Assert.True(accepted > 0 && refused > 0);
    }

    [Property(MaxTest = 3000)]
    public bool TryParse_AnyString_NeverThrows(NonNull<string> text) =>
        DeviceConfig.TryParse(text.Get, out var config, out var error) ? config is not null : !string.IsNullOrEmpty(error);
}

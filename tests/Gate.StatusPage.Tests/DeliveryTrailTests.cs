using Gate.PoliceReceiver;
using Gate.Server.Devices;
using Gate.SiaDc09;

namespace Gate.StatusPage.Tests;

/// <summary>
/// The duty console's delivery trail with the real forwarding path: the DC-09 police receiver simulator on loopback,
/// answering (police acknowledged, with latency) or not (delivery trouble, shown as loudly as an alarm).
/// </summary>
[Trait("Category", "Integration")]
public sealed class DeliveryTrailTests(BrowserFixture browsers) : IClassFixture<BrowserFixture>
{
    private Browser Chromium => browsers.Browser;

    [Fact]
    public async Task DutyConsole_PoliceAcknowledge_TrailShowsForwardedAndAcknowledged()
    {
        await using var police = await StartPoliceAsync(ReceiverBehaviour.Normal);
        using var host = NewHost(police);
        await using var gate = await ConnectGateAsync(host);

        var page = await LiveDutyConsoleAsync(host);

        var id = await gate.AlarmAsync(AlarmKind.Panic);
        var card = $"[data-alarm=\"{id}\"]";
        await page.WaitForSelectorAsync($"{card} [data-step=\"police_ack\"].done");
        Assert.Contains("done", await page.GetAttributeAsync($"{card} [data-step=\"forwarded\"]", "class"));
        Assert.Contains("主通道", await page.InnerTextAsync($"{card} [data-step=\"forwarded\"]"));
        Assert.Contains("用时", await page.InnerTextAsync($"{card} [data-step=\"police_ack\"]"));
        Assert.True(await page.IsHiddenAsync("#trouble-banner"));
        await Browser.ScreenshotAsync(page, "duty-zh-police-ack");
    }

    [Fact]
    public async Task DutyConsole_PoliceSilent_DeliveryTroubleIsShownAndRings()
    {
        await using var police = await StartPoliceAsync(ReceiverBehaviour.Silent);
        using var host = NewHost(police);
        await using var gate = await ConnectGateAsync(host);

        var page = await LiveDutyConsoleAsync(host);
        var id = await gate.AlarmAsync(AlarmKind.Panic);
        var card = $"[data-alarm=\"{id}\"]";
        await page.WaitForSelectorAsync(card);

        // Acknowledged by a person, the alarm itself stops ringing; the police never answered, so trouble keeps ringing.
        await page.Locator($"{card} [data-action=ack]").ClickAsync();
        await page.WaitForSelectorAsync($"{card}[data-status=\"acknowledged\"]");
        await page.WaitForSelectorAsync("#trouble-banner:not([hidden])");
        await page.WaitForSelectorAsync($"{card}.alarm-trouble");
        await page.WaitForFunctionAsync("() => document.body.dataset.ringing === 'trouble'");
        Assert.Contains("公安平台", await page.InnerTextAsync("#trouble-banner"));
        Assert.DoesNotContain("[object", await page.InnerTextAsync(".trouble-card"));
        await Browser.ScreenshotAsync(page, "duty-zh-delivery-trouble");
    }

    /// <summary>The DC-09 receiver on a loopback TCP port of its own (no UDP), answering as told.</summary>
    private static async Task<PoliceReceiverSimulator> StartPoliceAsync(ReceiverBehaviour behaviour)
    {
        var police = new PoliceReceiverSimulator(new PoliceReceiverOptions { TcpPort = 0, UdpPort = null, Behaviour = behaviour });
        await police.StartAsync();
        return police;
    }

    /// <summary>The duty officer's console, signed in and with its live feed connected.</summary>
    private async Task<IPage> LiveDutyConsoleAsync(GateServerFactory host)
    {
        var page = await Chromium.SignedInPageAsync(host.BaseAddress, "duty", StatusPageSite.DutyPassword);
        await page.WaitForSelectorAsync("#live-indicator[data-state=\"live\"]");
        return page;
    }

    private static GateServerFactory NewHost(PoliceReceiverSimulator police) =>
        StatusPageSite.StartedHost(new Dictionary<string, string?>
        {
            ["Forwarding:Primary:Host"] = "127.0.0.1",
            ["Forwarding:Primary:Port"] = police.TcpEndPoint!.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Forwarding:Primary:Transport"] = "tcp",
            ["Forwarding:Primary:ResponseTimeout"] = "00:00:01",
            ["Forwarding:SupervisionInterval"] = "00:00:00",
            ["Forwarding:Retry:InitialDelay"] = "00:00:00.200",
            ["Forwarding:Retry:MaxDelay"] = "00:00:01",
            ["StatusPage:DeliveryTroubleSeconds"] = "5",
        });

    private static async Task<TestDevice> ConnectGateAsync(GateServerFactory host)
    {
        host.Get<Gate.Server.Devices.DeviceRegistry>().UpsertSchool(new School("zz-010", "郑州市第十中学", "郑州", "河南省郑州市", 34.75, 113.62, "1234"));
        var secret = host.Get<Gate.Server.Devices.DeviceRegistry>().Register("zz-010-gate1", "zz-010", "gate", 300)!.Value.Secret;
        var gate = StatusPageSite.NewGate("zz-010", "zz-010-gate1", secret);
        await gate.ConnectAnnouncedAsync(host.BrokerPort);
        await gate.HeartbeatAsync(intervalSeconds: 300);
        return gate;
    }
}

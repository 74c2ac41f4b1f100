using Gate.Firmware.Feedback;
using Gate.Firmware.Host.Simulation;

namespace Gate.Resilience.Tests.EndToEnd;

/// <summary>
/// The guard always knows whether the panic reached the police: the real server (a child process), a virtual gate
/// controller on the real firmware core, and a police receiver with nothing listening.
/// </summary>
[Trait("Category", "Integration")]
public sealed class GuardNotAtPoliceTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task PoliceReceiverDown_PanicPressedTwice_LightShowsNotAtPoliceUntilThePoliceAcknowledge()
    {
        await using var rig = await GateRig.StartAsync(devices: 1);
        await rig.Police.StopAsync();
        using var ticker = new GateTicker(TimeSpan.FromMilliseconds(10));
        await using var gate = new VirtualGateController(new VirtualGateControllerOptions
        {
            BrokerPort = rig.Server.Settings.MqttPort,
            School = RegistrySeeder.SchoolId(0, 1),
            Device = RegistrySeeder.DeviceId(0),
            Credential = RegistrySeeder.Secret,
            PanicHoldMs = 50,
            SelfTestHours = 0,
            // Far beyond the test: the light may turn only because the server says "failed".
            PoliceWaitSeconds = 600,
            Ticker = ticker,
        });
        gate.Start();
        await gate.WaitConnectedAsync(Generous);

        var first = await gate.TriggerPanicAsync(Generous);
        await gate.WaitForAckAsync(first, AckStage.Received, Generous);
        await gate.WaitForAckAsync(first, AckStage.Failed, Generous);
        await gate.WaitForFeedbackAsync(FeedbackPatterns.NotAtPoliceName, Generous);
        Assert.DoesNotContain(AckStage.Forwarded, gate.AcksFor(first).Keys);

        // A second press while the first is open and undelivered: its own alarm, stored, its own acks.
        var second = await gate.TriggerPanicAsync(Generous);
        Assert.NotEqual(first, second);
        await gate.WaitForAckAsync(second, AckStage.Received, Generous);
        Assert.Equal(FeedbackPatterns.NotAtPoliceName, gate.FeedbackPattern);

        await rig.Police.StartAsync();
        await gate.WaitForAckAsync(first, AckStage.PoliceAck, Generous);
        await gate.WaitForAckAsync(second, AckStage.PoliceAck, Generous);
        await gate.WaitForFeedbackAsync(FeedbackPatterns.PoliceAckName, Generous);
        await rig.WaitUntilAsync(() => rig.PoliceAcknowledgedIds().Contains(second), Generous, "the second press at the police as its own event");
        Assert.Contains(first, rig.PoliceAcknowledgedIds());
    }
}

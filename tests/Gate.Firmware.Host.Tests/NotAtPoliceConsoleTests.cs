using Gate.Firmware.Host.Cli;

namespace Gate.Firmware.Host.Tests;

/// <summary>gate-sim tells whoever watches its console what the guard's light says, "not at the police" above all.</summary>
[Trait("Category", "Integration")]
public sealed class NotAtPoliceConsoleTests : IDisposable
{
    private readonly MosquittoBroker _broker = new();

    public void Dispose() => _broker.Dispose();

    [Fact]
    public async Task Console_ServerReportsFailed_PrintsNotAtPoliceAndCall110ThenPoliceAck()
    {
        // The emulator stores the alarm (received) and holds the police answer; the test plays the failing delivery.
        var police = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var emulator = await _broker.StartEmulatorAsync(police.Task);
        // A long wait: only the server's "failed" can turn the light, not the timer.
        await using var gate = new VirtualGateController(new VirtualGateControllerOptions { BrokerPort = _broker.Port, Device = "gate-nap", PanicHoldMs = 100, PoliceWaitSeconds = 600 });
        var output = new StringWriter();
        var console = new SimulatorConsole(gate, output);
        gate.Start();
        foreach (var line in new[] { "expect-connected", "panic", "expect-ack received", "expect-feedback received" })
        {
            Assert.True(await console.ExecuteAsync(line));
        }

        var id = Assert.Single(gate.Alarms.Keys);
        await emulator.SendAckAsync(gate.School, gate.Device, id, AckStage.Failed);
        Assert.True(await console.ExecuteAsync("expect-ack failed"));
        Assert.True(await console.ExecuteAsync("expect-feedback " + FeedbackPatterns.NotAtPoliceName));
        Assert.True(await console.ExecuteAsync("status"));

        police.SetResult();
        Assert.True(await console.ExecuteAsync("expect-feedback police_ack"));
        string text;
        lock (output)
        {
            text = output.ToString();
        }

        Assert.Contains("ack " + id + " failed", text, StringComparison.Ordinal);
        Assert.Contains("feedback not_at_police (NOT AT THE POLICE: call 110 by phone)", text, StringComparison.Ordinal);
        Assert.Contains("feedback=not_at_police (NOT AT THE POLICE: call 110 by phone)", text, StringComparison.Ordinal);
        Assert.Contains("feedback police_ack", text, StringComparison.Ordinal);
    }
}

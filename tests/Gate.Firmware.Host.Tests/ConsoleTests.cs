using Gate.Firmware.Host.Cli;

namespace Gate.Firmware.Host.Tests;

[Trait("Category", "Integration")]
public sealed class ConsoleTests : IDisposable
{
    private readonly MosquittoBroker _broker = new();

    public void Dispose() => _broker.Dispose();

    [Fact]
    public async Task Script_RehearsalAgainstEmulator_PassesEveryExpectation()
    {
        // The police answer waits for the script to have seen "received" (a fixed delay would race a slow machine).
        var police = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var emulator = await _broker.StartEmulatorAsync(police.Task);
        await using var gate = new VirtualGateController(new VirtualGateControllerOptions { BrokerPort = _broker.Port, Device = "gate-script", PanicHoldMs = 100 });
        var output = new StringWriter();
        var console = new SimulatorConsole(gate, output);
        string Text()
        {
            // The console writes from the controller's threads under this lock.
            lock (output)
            {
                return output.ToString();
            }
        }

        gate.Start();
        foreach (var line in new[] { "expect-connected", "# the guard presses the button", "panic", "expect-ack received", "expect-feedback received" })
        {
            Assert.True(await console.ExecuteAsync(line));
        }

        police.SetResult();
        foreach (var line in new[] { "expect-ack police_ack", "expect-feedback police_ack", "enclosure open" })
        {
            Assert.True(await console.ExecuteAsync(line));
        }

        // The tamper input is debounced on the controller's own ticker: wait for its alarm, however slow the machine.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Text().Contains("tamper", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            Assert.True(await console.ExecuteAsync("wait 50"));
        }

        Assert.True(await console.ExecuteAsync("status"));
        var text = Text();
        Assert.Contains("alarm gate-script.1.1 panic", text);
        Assert.Contains("ack gate-script.1.1 police_ack", text);
        Assert.Contains("tamper", text);
        Assert.False(await console.ExecuteAsync("quit"));
    }

    [Fact]
    public async Task Script_UnknownCommand_FailsWithClearMessage()
    {
        await using var gate = new VirtualGateController(new VirtualGateControllerOptions { BrokerPort = _broker.Port, Device = "gate-bad" });
        var console = new SimulatorConsole(gate, TextWriter.Null);
        var ex = await Assert.ThrowsAsync<FormatException>(() => console.ExecuteAsync("launch rockets"));
        Assert.Contains("unknown command 'launch'", ex.Message);
    }

    [Fact]
    public void Options_InvalidConfiguration_RefusedWithReason()
    {
        var ex = Assert.Throws<ArgumentException>(() => new VirtualGateController(new VirtualGateControllerOptions { Device = "Bad Id" }));
        Assert.Contains("device must be 1..32 of a-z", ex.Message);
    }
}

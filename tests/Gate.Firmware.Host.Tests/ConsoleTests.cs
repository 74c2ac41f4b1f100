using Gate.Firmware.Host.Cli;
using Gate.Firmware.Host.Simulation;

namespace Gate.Firmware.Host.Tests;

public sealed class ConsoleTests : IDisposable
{
    private readonly MosquittoBroker _broker = new();

    public void Dispose() => _broker.Dispose();

    [Fact]
    public async Task Script_RehearsalAgainstEmulator_PassesEveryExpectation()
    {
        await using var emulator = new GatewayEmulator();
        await emulator.StartAsync("127.0.0.1", _broker.Port);
        await using var gate = new VirtualGateController(new VirtualGateControllerOptions { BrokerPort = _broker.Port, Device = "gate-script", PanicHoldMs = 100 });
        var output = new StringWriter();
        var console = new SimulatorConsole(gate, output);
        gate.Start();
        foreach (var line in new[]
        {
            "expect-connected", "# the guard presses the button", "panic", "expect-ack received", "expect-feedback received",
            "expect-ack police_ack", "expect-feedback police_ack", "enclosure open", "wait 300", "status",
        })
        {
            Assert.True(await console.ExecuteAsync(line));
        }

        var text = output.ToString();
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

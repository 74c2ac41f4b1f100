namespace Gate.Firmware.Core.Tests.Fakes;

/// <summary>Virtual pins: levels the test sets, outputs the controller writes.</summary>
public sealed class VirtualIo : IGateIo
{
    public Dictionary<int, bool> Levels { get; } = new();

    public Dictionary<int, int> Millivolts { get; } = new();

    public Dictionary<int, bool> Outputs { get; } = new();

    public bool DefaultLevel { get; set; }

    public bool ReadDigital(int pin) => Levels.TryGetValue(pin, out var v) ? v : DefaultLevel;

    public int ReadMillivolts(int pin) => Millivolts.TryGetValue(pin, out var v) ? v : 0;

    public void WriteDigital(int pin, bool high) => Outputs[pin] = high;
}

using System.Collections.Concurrent;

namespace Gate.Firmware.Host.Simulation;

/// <summary>
/// Virtual GPIO and ADC: the simulator (keyboard, script, test) sets input levels from any thread; the
/// controller samples them on its poll, exactly as it samples real pins.
/// </summary>
public sealed class VirtualPins : IGateIo
{
    private readonly ConcurrentDictionary<int, bool> _levels = new();
    private readonly ConcurrentDictionary<int, int> _millivolts = new();
    private readonly ConcurrentDictionary<int, bool> _outputs = new();

    public bool ReadDigital(int pin) => _levels.TryGetValue(pin, out var v) && v;

    public int ReadMillivolts(int pin) => _millivolts.TryGetValue(pin, out var v) ? v : 0;

    public void WriteDigital(int pin, bool high) => _outputs[pin] = high;

    public void SetLevel(int pin, bool high) => _levels[pin] = high;

    public void SetMillivolts(int pin, int millivolts) => _millivolts[pin] = millivolts;

    public bool Output(int pin) => _outputs.TryGetValue(pin, out var v) && v;
}

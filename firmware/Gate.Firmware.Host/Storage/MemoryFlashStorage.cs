using System.Collections.Concurrent;
using Gate.Firmware.Storage;

namespace Gate.Firmware.Host.Storage;

/// <summary>
/// Flash in memory: survives a simulated reboot (a new controller over the same instance), not the process.
/// Writes replace the whole record at once, as the device's write-temp-then-rename does.
/// </summary>
public sealed class MemoryFlashStorage : IFlashStorage
{
    private readonly ConcurrentDictionary<string, byte[]> _records = new(StringComparer.Ordinal);

    public byte[] Read(string name) => _records.TryGetValue(name, out var data) ? (byte[])data.Clone() : null!;

    public void Write(string name, byte[] data)
    {
        if (!RecordName.IsValid(name))
        {
            throw new ArgumentException("invalid record name: " + name, nameof(name));
        }

        _records[name] = (byte[])data.Clone();
    }

    public void Delete(string name) => _records.TryRemove(name, out _);

    public string[] List(string prefix) => _records.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
}

using System.Text;

namespace Gate.Firmware.Core.Tests.Fakes;

/// <summary>
/// Flash in memory with the atomic-write contract of IFlashStorage. A "reboot" is a new controller over
/// the same instance; FailWrites simulates a flash that refuses writes.
/// </summary>
public sealed class MemoryFlashStorage : IFlashStorage
{
    private readonly Dictionary<string, byte[]> _records = new(StringComparer.Ordinal);

    public bool FailWrites { get; set; }

    public int Writes { get; private set; }

    public IReadOnlyCollection<string> Names => _records.Keys;

    public byte[] Read(string name) => _records.TryGetValue(name, out var data) ? (byte[])data.Clone() : null!;

    public void Write(string name, byte[] data)
    {
        Assert.True(RecordName.IsValid(name), "invalid record name " + name);
        if (FailWrites)
        {
            throw new IOException("flash write failed");
        }

        Writes++;
        _records[name] = (byte[])data.Clone();
    }

    public void Delete(string name) => _records.Remove(name);

    public string[] List(string prefix) => _records.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToArray();

    public string ReadText(string name) => Encoding.UTF8.GetString(_records[name]);
}

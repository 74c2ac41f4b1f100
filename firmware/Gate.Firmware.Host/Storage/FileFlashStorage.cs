using Gate.Firmware.Storage;

namespace Gate.Firmware.Host.Storage;

/// <summary>
/// Records as files in a folder, with the same crash rule as the device: write "name.tmp", flush to disk,
/// then rename over the old file, so a kill at any moment leaves the old record or the new one.
/// </summary>
public sealed class FileFlashStorage : IFlashStorage
{
    private readonly string _directory;

    public FileFlashStorage(string directory)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
        // A leftover temp file is a write that never completed: the old record (if any) is the truth.
        foreach (var tmp in Directory.GetFiles(directory, "*.tmp"))
        {
            File.Delete(tmp);
        }
    }

    public string DirectoryPath => _directory;

    public byte[] Read(string name)
    {
        var path = PathOf(name);
        return File.Exists(path) ? File.ReadAllBytes(path) : null!;
    }

    public void Write(string name, byte[] data)
    {
        var path = PathOf(name);
        var tmp = path + ".tmp";
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(data, 0, data.Length);
            stream.Flush(flushToDisk: true);
        }

        File.Move(tmp, path, overwrite: true);
    }

    public void Delete(string name)
    {
        var path = PathOf(name);
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    public string[] List(string prefix) => Directory.GetFiles(_directory)
        .Select(Path.GetFileName)
        .Where(n => n is not null && !n.EndsWith(".tmp", StringComparison.Ordinal) && n.StartsWith(prefix, StringComparison.Ordinal))
        .ToArray()!;

    private string PathOf(string name)
    {
        if (!RecordName.IsValid(name))
        {
            throw new ArgumentException("invalid record name: " + name, nameof(name));
        }

        return Path.Combine(_directory, name);
    }
}

namespace Gate.LoadTest.Measurement;

/// <summary>What every figure in docs/benchmarks.md is stamped with: the machine, its load, and the date.</summary>
public sealed record MachineInfo(
    int Cores,
    double MemoryGiB,
    string CpuModel,
    string Kernel,
    string Runtime,
    long OpenFilesLimit,
    string LoadAverage,
    DateTimeOffset UtcNow)
{
    public static MachineInfo Read()
    {
        return new MachineInfo(
            Environment.ProcessorCount,
            ReadMemTotalKb() / 1048576.0,
            ReadFirst("/proc/cpuinfo", "model name") ?? "unknown",
            TryRead("/proc/sys/kernel/osrelease")?.Trim() ?? Environment.OSVersion.VersionString,
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            ReadOpenFilesLimit(),
            LoadAverageNow(),
            DateTimeOffset.UtcNow);
    }

    public static string LoadAverageNow()
    {
        var text = TryRead("/proc/loadavg");
        return text is null ? "unknown" : string.Join(' ', text.Split(' ').Take(3));
    }

    public override string ToString() => FormattableString.Invariant(
        $"{Cores} cores ({CpuModel}), {MemoryGiB:0.0} GiB, Linux {Kernel}, {Runtime}, open files limit {OpenFilesLimit}, load {LoadAverage}, {UtcNow:yyyy-MM-dd HH:mm} UTC");

    private static long ReadMemTotalKb()
    {
        var line = ReadFirst("/proc/meminfo", "MemTotal");
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
    }

    // The server's own reading of /proc/self/limits, so both report the same number; -1 when unknown or unlimited.
    private static long ReadOpenFilesLimit() => Gate.Server.Mqtt.OpenFileLimit.Soft() ?? -1;

    private static string? ReadFirst(string path, string key)
    {
        var text = TryRead(path);
        var line = text?.Split('\n').FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? null : line[(line.IndexOf(':') + 1)..].Trim();
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}

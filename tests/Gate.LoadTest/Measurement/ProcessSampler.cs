namespace Gate.LoadTest.Measurement;

/// <summary>
/// Samples CPU time, resident memory, threads and open descriptors of one process from /proc once a second, so a run
/// reports what the server (or a bare broker) cost while under load, not what the load generator cost.
/// </summary>
public sealed class ProcessSampler : IAsyncDisposable
{
    // USER_HZ is 100 on every Linux the project runs on; /proc/pid/stat counts in it.
    private const double TicksPerSecond = 100.0;

    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<ProcessSample> _samples = [];
    private readonly Lock _gate = new();

    public ProcessSampler(int pid, TimeSpan? interval = null)
    {
        _pid = pid;
        _loop = RunAsync(interval ?? TimeSpan.FromSeconds(1), _stop.Token);
    }

    public int Pid => _pid;

    public static ProcessSample? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name is in parentheses and may contain spaces; fields are counted after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            var threads = int.Parse(fields[17], CultureInfo.InvariantCulture);
            long rssKb = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rssKb = long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    break;
                }
            }

            int fds;
            try
            {
                fds = Directory.GetFiles($"/proc/{pid}/fd").Length;
            }
            catch (UnauthorizedAccessException)
            {
                fds = -1;
            }

            return new ProcessSample(Stopwatch.GetTimestamp(), (utime + stime) / TicksPerSecond, rssKb * 1024, threads, fds);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Marks the start of the measured window (after connecting and warming up).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _samples.Clear();
        }

        var now = Read(_pid);
        if (now is not null)
        {
            lock (_gate)
            {
                _samples.Add(now);
            }
        }
    }

    public ProcessUsage Usage()
    {
        var last = Read(_pid);
        lock (_gate)
        {
            var samples = last is null ? _samples.ToList() : [.. _samples, last];
            if (samples.Count < 2)
            {
                return new ProcessUsage(_pid, 0, 0, 0, samples.LastOrDefault()?.RssBytes ?? 0, samples.LastOrDefault()?.RssBytes ?? 0, 0, 0, 0);
            }

            var first = samples[0];
            var end = samples[^1];
            var wall = Stopwatch.GetElapsedTime(first.Timestamp, end.Timestamp).TotalSeconds;
            var cpuSeconds = end.CpuSeconds - first.CpuSeconds;
            double peakCpu = 0;
            for (var i = 1; i < samples.Count; i++)
            {
                var dt = Stopwatch.GetElapsedTime(samples[i - 1].Timestamp, samples[i].Timestamp).TotalSeconds;
                if (dt > 0.2)
                {
                    peakCpu = Math.Max(peakCpu, (samples[i].CpuSeconds - samples[i - 1].CpuSeconds) / dt);
                }
            }

            return new ProcessUsage(
                _pid,
                wall,
                cpuSeconds,
                wall > 0 ? cpuSeconds / wall : 0,
                samples.Max(s => s.RssBytes),
                end.RssBytes,
                peakCpu,
                end.Threads,
                end.OpenFiles);
        }
    }

    private async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                var sample = Read(_pid);
                if (sample is not null)
                {
                    lock (_gate)
                    {
                        _samples.Add(sample);
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}

public sealed record ProcessSample(long Timestamp, double CpuSeconds, long RssBytes, int Threads, int OpenFiles);

/// <summary>CPU in cores (1.0 = one core busy), memory in bytes.</summary>
public sealed record ProcessUsage(
    int Pid,
    double WallSeconds,
    double CpuSeconds,
    double AverageCores,
    long PeakRssBytes,
    long FinalRssBytes,
    double PeakCores,
    int Threads,
    int OpenFiles)
{
    public override string ToString() => FormattableString.Invariant(
        $"pid {Pid}: cpu {AverageCores * 100:0}% of one core avg (peak {PeakCores * 100:0}%), rss {FinalRssBytes / 1048576.0:0.0} MiB (peak {PeakRssBytes / 1048576.0:0.0}), threads {Threads}, fds {OpenFiles}");
}

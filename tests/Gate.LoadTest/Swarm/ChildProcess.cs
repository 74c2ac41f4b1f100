using System.Threading.Channels;

namespace Gate.LoadTest.Swarm;

/// <summary>The parent's handle on one swarm child: commands down stdin, JSON events up stdout.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();

    private ChildProcess(Process process, int index)
    {
        _process = process;
        Index = index;
    }

    public int Index { get; }

    public int Pid => _process.Id;

    public static ChildProcess Start(int index, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Baselines.BrokerProcess.SelfExecutable())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("swarm-child");
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start a swarm child");
        var child = new ChildProcess(process, index);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                child._events.Writer.TryComplete();
                return;
            }

            if (e.Data.StartsWith('{'))
            {
                try
                {
                    child._events.Writer.TryWrite(JsonDocument.Parse(e.Data).RootElement.Clone());
                }
                catch (JsonException)
                {
                    Console.Error.WriteLine($"[child {index}] {e.Data}");
                }
            }
            else
            {
                Console.Error.WriteLine($"[child {index}] {e.Data}");
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                Console.Error.WriteLine($"[child {index}] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public async Task SendAsync(string command)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>The next event named <paramref name="name"/>; earlier events of other names are skipped.</summary>
    public async Task<JsonElement> WaitForAsync(string name, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var e = await _events.Reader.ReadAsync(cts.Token);
                if (e.TryGetProperty("event", out var ev) && ev.GetString() == name)
                {
                    return e;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"swarm child {Index} sent no '{name}' within {timeout.TotalSeconds:0} s");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"swarm child {Index} exited before sending '{name}'");
        }
    }

    public async Task<ChildReport> ReportAsync()
    {
        await SendAsync("report");
        var e = await WaitForAsync("report", TimeSpan.FromSeconds(60));
        return e.GetProperty("report").Deserialize<ChildReport>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await SendAsync("exit");
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (Exception)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }
}

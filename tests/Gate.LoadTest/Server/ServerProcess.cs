using System.Net.Http.Json;
using System.Runtime.InteropServices;

namespace Gate.LoadTest.Server;

/// <summary>How to start one Gate.Server process for a measurement or a resilience test.</summary>
public sealed record ServerSettings
{
    /// <summary>Folder for the database, logs and content root; kept across restarts of the same server.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>0: the server binds a free port and ServerProcess reads it back from its start-up log.</summary>
    public int MqttPort { get; init; }

    /// <summary>0: Kestrel binds a free port and ServerProcess reads it back from its start-up log.</summary>
    public int HttpPort { get; init; }

    public string AdminPassword { get; init; } = "load-test-admin-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>DC-09 receiver for Forwarding:Primary; null: forwarding not configured.</summary>
    public IPEndPoint? PoliceReceiver { get; init; }

    /// <summary>External broker (host, port, user, password); null: the embedded broker.</summary>
    public (string Host, int Port, string User, string Password)? ExternalBroker { get; init; }

    /// <summary>Extra configuration as environment variables ("Section__Key" = value).</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Gate.Server as a real child process (`dotnet Gate.Server.dll`, configured through environment variables), so it can
/// be measured from /proc, killed with SIGKILL in the middle of a burst, and restarted on the same database.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ServerProcess(Process process, ServerSettings settings, StreamWriter log)
    {
        _process = process;
        Settings = settings;
        _log = log;
    }

    public ServerSettings Settings { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public Uri BaseAddress => new($"http://127.0.0.1:{Settings.HttpPort}/");

    public string LogPath => Path.Combine(Settings.DataDirectory, "server.log");

    public string DatabasePath => Path.Combine(Settings.DataDirectory, "gate.db");

    /// <summary>Gate.Server.dll next to this assembly (the project references the server so its build is copied here).</summary>
    public static string ServerAssembly()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Gate.Server.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Gate.Server.dll not found next to the load generator; build tests/Gate.LoadTest", path);
    }

    public static async Task<ServerProcess> StartAsync(ServerSettings settings, TimeSpan? startTimeout = null)
    {
        Directory.CreateDirectory(settings.DataDirectory);

        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = settings.DataDirectory,
        };
        info.ArgumentList.Add(ServerAssembly());
        var env = info.Environment;
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["ASPNETCORE_URLS"] = $"http://127.0.0.1:{settings.HttpPort}";
        // The GC the server ships with (Server GC, from the web SDK) unless the caller's environment says otherwise:
        // workstation GC paused the server 40-100 ms per gen1 collection at 15,000 connections (GC pause ~4 % of time).
        env["Logging__LogLevel__Default"] = "Warning";
        env["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information"; // "Now listening on: ...": the bound HTTP port
        env["Logging__LogLevel__Gate.Server.Mqtt.EmbeddedBroker"] = "Information"; // "... listening on ...:port": the bound MQTT port
        env["Database__Path"] = Path.Combine(settings.DataDirectory, "gate.db");
        env["Security__AdminPassword"] = settings.AdminPassword;
        if (settings.ExternalBroker is { } external)
        {
            env["Mqtt__Mode"] = "external";
            env["Mqtt__External__Host"] = external.Host;
            env["Mqtt__External__Port"] = external.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            env["Mqtt__External__Username"] = external.User;
            env["Mqtt__External__Password"] = external.Password;
            env["Mqtt__External__ClientId"] = "gate-server-bench";
            env["Mqtt__External__MaxReconnectDelaySeconds"] = "2";
        }
        else
        {
            env["Mqtt__Mode"] = "embedded";
            env["Mqtt__Embedded__Port"] = settings.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            env["Mqtt__Embedded__BindAddress"] = "127.0.0.1";
        }

        if (settings.PoliceReceiver is { } police)
        {
            env["Forwarding__Primary__Host"] = police.Address.ToString();
            env["Forwarding__Primary__Port"] = police.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // The load and resilience runs match receiver frames to alarms by the [Ialarm id] block: the full profile.
            env["Forwarding__Primary__Profile"] = "full";
        }

        foreach (var (key, value) in settings.Extra)
        {
            env[key] = value;
        }

        // Ports given as 0 are bound by the server itself and read back from its log: a port picked here and closed
        // again could be taken by another process before the server binds it.
        var ports = new BoundPorts(http: settings.HttpPort, mqtt: settings.ExternalBroker is null ? settings.MqttPort : -1);
        var log = new StreamWriter(Path.Combine(settings.DataDirectory, "server.log"), append: true) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet Gate.Server.dll");
        process.OutputDataReceived += (_, e) => { Write(log, e.Data); ports.Read(e.Data); };
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var timeout = startTimeout ?? TimeSpan.FromSeconds(60);
        try
        {
            var (http, mqtt) = await ports.WaitAsync(process, timeout);
            settings = settings with { HttpPort = http, MqttPort = settings.ExternalBroker is null ? mqtt : settings.MqttPort };
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"Gate.Server did not report its ports ({e.Message}); log: {Path.Combine(settings.DataDirectory, "server.log")}", e);
        }

        var server = new ServerProcess(process, settings, log);
        await server.WaitHealthyAsync(timeout);
        return server;
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Gate.Server exited with code {_process.ExitCode} while starting; log: {LogPath}\n{Tail()}");
            }

            try
            {
                using var response = await http.GetAsync("health");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Gate.Server was not healthy within {timeout.TotalSeconds:0} s; log: {LogPath}\n{Tail()}");
    }

    /// <summary>An HTTP client logged in as the bootstrap admin (cookie session).</summary>
    public async Task<HttpClient> LoginAsync()
    {
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true };
        var http = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsJsonAsync("api/auth/login", new { user = "admin", password = Settings.AdminPassword });
        response.EnsureSuccessStatusCode();
        return http;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flush; what a power cut or the OOM killer does.</summary>
    public async Task KillHardAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM and wait: the ordinary stop of a service manager.</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited)
        {
            return;
        }

        _ = SysKill(_process.Id, 15);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            await KillHardAsync();
        }
    }

    public string Tail(int lines = 40)
    {
        try
        {
            lock (_log)
            {
                _log.Flush();
            }

            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(15));
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }
}

/// <summary>The ports a starting server reports in its log ("Now listening on: http://127.0.0.1:N", "Embedded MQTT broker listening on 127.0.0.1:N").</summary>
internal sealed partial class BoundPorts(int http, int mqtt)
{
    private readonly TaskCompletionSource<int> _http = Known(http);
    private readonly TaskCompletionSource<int> _mqtt = Known(mqtt);

    public void Read(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (HttpLine().Match(line) is { Success: true } h)
        {
            _http.TrySetResult(int.Parse(h.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture));
        }
        else if (MqttLine().Match(line) is { Success: true } m)
        {
            _mqtt.TrySetResult(int.Parse(m.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    public async Task<(int Http, int Mqtt)> WaitAsync(Process process, TimeSpan timeout)
    {
        var exited = process.WaitForExitAsync();
        var both = Task.WhenAll(_http.Task, _mqtt.Task);
        if (await Task.WhenAny(both, exited).WaitAsync(timeout) != both)
        {
            throw new InvalidOperationException($"Gate.Server exited with code {process.ExitCode} while starting");
        }

        return (await _http.Task, await _mqtt.Task);
    }

    // A port given (or -1: no embedded broker) is known at once; 0 waits for the log line.
    private static TaskCompletionSource<int> Known(int port)
    {
        var source = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (port != 0)
        {
            source.SetResult(port);
        }

        return source;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Now listening on: http://[^\s]*:(\d+)")]
    private static partial System.Text.RegularExpressions.Regex HttpLine();

    [System.Text.RegularExpressions.GeneratedRegex(@"Embedded MQTT broker listening on [^\s]*:(\d+)")]
    private static partial System.Text.RegularExpressions.Regex MqttLine();
}

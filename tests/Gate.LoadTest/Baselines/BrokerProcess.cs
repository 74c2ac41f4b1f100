using System.Net.Sockets;

namespace Gate.LoadTest.Baselines;

/// <summary>
/// A broker in its own process, on a free loopback port, so that its CPU and memory can be read from /proc apart from
/// the load generator's. Either Debian's Mosquitto with a temporary config (never the system service) or a bare
/// MQTTnet 5 server hosted by `gate-load broker-mqttnet`.
/// </summary>
public sealed class BrokerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string? _tempDir;

    private BrokerProcess(Process process, int port, string kind, string? tempDir)
    {
        _process = process;
        Port = port;
        Kind = kind;
        _tempDir = tempDir;
    }

    public int Port { get; }

    public string Kind { get; }

    public int Pid => _process.Id;

    /// <param name="files">Extra files to write next to the config (name, content), e.g. passwd and acl.</param>
    /// <param name="extraConfig">Config lines appended, e.g. password_file/acl_file; "{dir}" is replaced by the folder.</param>
    public static async Task<BrokerProcess> StartMosquittoAsync(
        string mosquittoPath = "/usr/sbin/mosquitto",
        int maxInflight = 20,
        IReadOnlyDictionary<string, string>? files = null,
        string? extraConfig = null,
        int port = 0)
    {
        port = port == 0 ? FreePort() : port;
        var dir = Directory.CreateTempSubdirectory("gate-bench-mosquitto-").FullName;
        // Mosquitto started as root drops to the "mosquitto" user before reading the password and ACL files, so the
        // folder must be readable by others (it holds salted hashes of throw-away test credentials only).
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the bench runs Debian's Mosquitto on Linux");
        }

        File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var conf = Path.Combine(dir, "mosquitto.conf");
        foreach (var (name, content) in files ?? new Dictionary<string, string>())
        {
            await File.WriteAllTextAsync(Path.Combine(dir, name), content);
        }

        // Unlimited queue so a momentarily slow subscriber is measured as latency, not hidden as drops.
        await File.WriteAllTextAsync(conf, $"""
            listener {port} 127.0.0.1
            allow_anonymous {(extraConfig is null ? "true" : "false")}
            persistence false
            max_queued_messages 0
            max_inflight_messages {maxInflight}
            log_dest stderr
            log_type error
            log_type warning
            {extraConfig?.Replace("{dir}", dir) ?? string.Empty}
            """);
        var process = Start(mosquittoPath, ["-c", conf]);
        var broker = new BrokerProcess(process, port, "mosquitto", dir);
        await broker.WaitForPortAsync();
        return broker;
    }

    public static async Task<BrokerProcess> StartMqttNetAsync()
    {
        var port = FreePort();
        var process = Start(SelfExecutable(), ["broker-mqttnet", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var broker = new BrokerProcess(process, port, "mqttnet", null);
        await broker.WaitForPortAsync();
        return broker;
    }

    /// <summary>This tool's own apphost, to start child processes (brokers, swarm parts) of the same build.</summary>
    public static string SelfExecutable()
    {
        var appHost = Path.Combine(AppContext.BaseDirectory, "gate-load");
        return File.Exists(appHost) ? appHost : throw new FileNotFoundException("gate-load apphost not found next to the assembly", appHost);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Process Start(string file, string[] args)
    {
        var info = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                Console.Error.WriteLine($"[{Path.GetFileName(file)}] {e.Data}");
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }

    private async Task WaitForPortAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Kind} exited with code {_process.ExitCode} before listening");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"{Kind} did not listen on {Port} within 30 s");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (_tempDir is not null)
        {
            try
            {
                Directory.Delete(_tempDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

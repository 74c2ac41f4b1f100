using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gate.Firmware.Host.Tests;

/// <summary>
/// Debian's Mosquitto on a free port with a temp config and persistence in a temp folder, so a restart
/// keeps sessions and queued QoS 1 messages. Never the system service.
/// </summary>
public sealed class MosquittoBroker : IDisposable
{
    public const string Executable = "/usr/sbin/mosquitto";
    private readonly string _dir;
    private Process? _process;

    public MosquittoBroker()
    {
        _dir = Path.Combine(Path.GetTempPath(), "gate-fw-mosq-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        Port = FreePort();
        File.WriteAllText(ConfigPath, string.Join('\n',
            "listener " + Port + " 127.0.0.1",
            "allow_anonymous true",
            "persistence true",
            "persistence_location " + _dir + "/",
            "autosave_interval 1",
            "max_queued_messages 10000",
            "user root",
            string.Empty));
        Start();
    }

    public int Port { get; }

    /// <summary>
    /// The gateway emulator connected to this broker (the caller disposes it); with policeHold, every police answer
    /// waits for that task.
    /// </summary>
    public async Task<GatewayEmulator> StartEmulatorAsync(Task? policeHold = null, string clientId = "gate-gateway-emulator")
    {
        var emulator = new GatewayEmulator { PoliceHold = policeHold };
        try
        {
            await emulator.StartAsync("127.0.0.1", Port, clientId);
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }

        return emulator;
    }

    private string ConfigPath => Path.Combine(_dir, "mosquitto.conf");

    public void Start()
    {
        var info = new ProcessStartInfo(Executable, "-c " + ConfigPath) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        _process = Process.Start(info) ?? throw new InvalidOperationException("mosquitto did not start");
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                Thread.Sleep(50);
            }
        }
    }

    /// <summary>Graceful stop (SIGTERM): Mosquitto writes its persistence file, as on a server restart.</summary>
    public void Stop()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        Process.Start("kill", "-TERM " + _process.Id)!.WaitForExit();
        if (!_process.WaitForExit(30_000))
        {
            _process.Kill();
        }

        _process.WaitForExit();
        _process = null;
    }

    public void Dispose()
    {
        try
        {
            if (_process is { HasExited: false })
            {
                _process.Kill();
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

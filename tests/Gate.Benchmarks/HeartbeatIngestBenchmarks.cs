using BenchmarkDotNet.Attributes;
using Gate.Contracts;
using Gate.Server.Liveness;
using Gate.Server.Mqtt;
using Gate.Testing;

namespace Gate.Benchmarks;

/// <summary>
/// What one heartbeat costs the server after MQTTnet has handed it over: the router (topic, owner, registry lookup),
/// the decoder, the clock skew and the liveness tracker, on the real server's services (SQLite in a temp folder, fake
/// clock). The allocated bytes column is the garbage each of the province's 1,667 heartbeats a second leaves for gen0;
/// what stays alive past it is what the marks ring and the kept telemetry are for (a heartbeat that repeats the last
/// one must leave nothing new referenced). MQTTnet's own per-packet objects (body, publish packet, application
/// message, event args) are not in this figure.
/// </summary>
[MemoryDiagnoser]
public class HeartbeatIngestBenchmarks
{
    private const string School = "zz-school";
    private const string Device = "zz-gate-01";

    private GateServerFactory _server = null!;
    private DeviceMessageRouter _router = null!;
    private LivenessTracker _liveness = null!;
    private string _topic = "";
    private byte[][] _beats = [];
    private int _next;
    private Heartbeat _decoded = null!;

    [GlobalSetup]
    public void Setup()
    {
        // WebApplicationFactory looks for the server's content root next to a test assembly's build output; this exe is
        // built elsewhere (scripts/bench/micro.sh: the artifacts path), so point it at the source folder found above
        // the working directory.
        const string ContentRoot = "ASPNETCORE_TEST_CONTENTROOT_GATE_SERVER";
        if (Environment.GetEnvironmentVariable(ContentRoot) is null)
        {
            for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            {
                var server = Path.Combine(dir.FullName, "gateway-server", "Gate.Server");
                if (Directory.Exists(server))
                {
                    Environment.SetEnvironmentVariable(ContentRoot, server);
                    break;
                }
            }
        }

        _server = new GateServerFactory();
        _server.Start();
        _server.AddDevice(School, Device);
        _router = _server.Get<DeviceMessageRouter>();
        _liveness = _server.Get<LivenessTracker>();
        _topic = Topics.For(School, Device, Topics.Heartbeat);

        // Consecutive sequence numbers, so the tracker sees an unbroken run (no gap), as from a healthy device.
        _beats = new byte[4096][];
        for (var i = 0; i < _beats.Length; i++)
        {
            var beat = Payloads.Heartbeat();
            beat.Sequence = i + 1;
            beat.Timestamp = _server.Time.GetUtcNow().UtcDateTime; // dated now: no clock-skew flag (and its log line)
            _beats[i] = WireCodec.EncodeHeartbeat(beat);
        }

        _decoded = Payloads.Heartbeat();
        if (!Ingest().Ok)
        {
            throw new InvalidOperationException("the benchmark heartbeat must be accepted");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _server.Dispose();

    [Benchmark(Description = "heartbeat: router + decoder + liveness (server, after MQTTnet)")]
    public IngestResult Ingest()
    {
        var payload = _beats[_next++ % _beats.Length];
        return _router.HandleAsync(_topic, payload, Device, retained: false, CancellationToken.None).GetAwaiter().GetResult();
    }

    [Benchmark(Description = "heartbeat: liveness tracker only")]
    public void Track()
    {
        _decoded.Sequence++;
        _liveness.OnHeartbeat(Device, School, _decoded, 0.2);
    }
}

using System.Net.Sockets;
using Gate.LoadTest.Server;
using Gate.SiaDc09;
using Gate.PoliceReceiver;
using MQTTnet.Formatter;

namespace Gate.LoadTest.Attack;

/// <summary>
/// gate-load slowloris: issue 12's denial-of-service figures. Starts Gate.Server (embedded broker, forwarding to the
/// police receiver simulator), samples its resident memory idle, then opens --silent sockets that never send a byte
/// (spread over --sources loopback addresses, 127.0.2.x) while a stream of CONNECTs announcing 64 MiB comes from
/// 127.0.3.x; samples again during and after (once the CONNECT deadline has closed the silent sockets), and finally
/// checks that a real gate from 127.0.0.1 connects and its panic reaches the police acknowledgement.
/// </summary>
public static class SlowLorisRun
{
    public static async Task<int> RunAsync(CommandLine cl)
    {
        var silent = cl.Int("silent", 5000);
        var sources = Math.Clamp(cl.Int("sources", 100), 1, 250);
        var oversized = cl.Int("oversized", 400);
        var holdSeconds = cl.Double("hold-s", 8);
        var output = cl.OptionalString("out");
        cl.RejectUnknown();

        var machine = MachineInfo.Read();
        Console.WriteLine($"machine: {machine}");
        var dir = Directory.CreateTempSubdirectory("gate-slowloris-").FullName;
        RegistrySeeder.Seed(Path.Combine(dir, "gate.db"), 1, 30, 1);
        await using var receiver = new PoliceReceiverSimulator(new PoliceReceiverOptions { TcpPort = 0, UdpPort = null });
        await receiver.StartAsync();
        await using var server = await ServerProcess.StartAsync(new ServerSettings { DataDirectory = dir, PoliceReceiver = receiver.TcpEndPoint });
        var port = server.Settings.MqttPort;
        Console.WriteLine($"server pid {server.Pid}, mqtt {port}; load {MachineInfo.LoadAverageNow()}");

        await Task.Delay(TimeSpan.FromSeconds(5)); // let start-up settle before the idle figure
        var idle = Rss(server.Pid);
        Console.WriteLine($"idle RSS {Mb(idle):0.0} MB");

        // The attack: silent sockets first (held), the oversized CONNECTs alongside.
        var clock = Stopwatch.StartNew();
        var sockets = new List<Socket>(silent);
        var refusedSilent = 0;
        for (var i = 0; i < silent; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse($"127.0.2.{1 + i % sources}"), 0));
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, port);
                sockets.Add(socket);
            }
            catch (SocketException)
            {
                refusedSilent++;
                socket.Dispose();
            }
        }

        Console.WriteLine($"{sockets.Count} silent sockets open ({refusedSilent} refused at connect) in {clock.Elapsed.TotalSeconds:0.0} s");
        var oversizedTask = OversizedStreamAsync(port, oversized);
        long peak = 0;
        var during = Stopwatch.StartNew();
        while (during.Elapsed.TotalSeconds < holdSeconds || !oversizedTask.IsCompleted)
        {
            peak = Math.Max(peak, Rss(server.Pid));
            await Task.Delay(200);
        }

        var (closedEarly, bytesSent) = await oversizedTask;
        var healthDuring = await HealthAsync(server);
        Console.WriteLine($"during: peak RSS {Mb(peak):0.0} MB; oversized CONNECTs {oversized}, closed by the server {closedEarly}, {bytesSent / 1024} KiB written in all; admission {healthDuring}");

        // The deadline (10 s) closes the silent ones; count how many the server closed.
        var closedByServer = 0;
        var wait = Stopwatch.StartNew();
        var buffer = new byte[16];
        foreach (var socket in sockets)
        {
            var left = TimeSpan.FromSeconds(30) - wait.Elapsed;
            try
            {
                if (left > TimeSpan.Zero && await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(left) == 0)
                {
                    closedByServer++;
                }
            }
            catch (SocketException)
            {
                closedByServer++;
            }
            catch (TimeoutException)
            {
            }

            socket.Dispose();
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        var after = Rss(server.Pid);
        var healthAfter = await HealthAsync(server);
        Console.WriteLine($"after: {closedByServer}/{sockets.Count} silent sockets closed by the server; RSS {Mb(after):0.0} MB; admission {healthAfter}");

        var (connected, policeAckMs) = await RealGatePanicAsync(port);
        var withinBudget = Math.Max(peak, after) - idle <= 50L * 1024 * 1024;
        Console.WriteLine($"real gate connected: {connected}; panic to police ack: {(policeAckMs is { } ms ? $"{ms:0} ms" : "NOT acknowledged")}; " +
            $"RSS idle {Mb(idle):0.0} / peak {Mb(peak):0.0} (+{Mb(peak - idle):0.0}) / after {Mb(after):0.0} MB: {(withinBudget ? "within" : "OVER")} 50 MB");

        if (output is not null)
        {
            var line = JsonSerializer.Serialize(new
            {
                run = "slowloris", at = DateTime.UtcNow, machine = machine.ToString(), load = MachineInfo.LoadAverageNow(),
                silent, sources, silentOpen = sockets.Count, refusedSilent, closedByServer, oversized, oversizedClosedEarly = closedEarly,
                idleMb = Mb(idle), peakMb = Mb(peak), afterMb = Mb(after), connected, policeAckMs,
            });
            await File.AppendAllTextAsync(output, line + "\n");
        }

        await server.StopAsync();
        return connected && policeAckMs is not null && withinBudget ? 0 : 1;
    }

    /// <summary>CONNECT fixed headers announcing 64 MiB, each followed by as much body as the server takes (up to 1 MiB), 8 at a time.</summary>
    private static async Task<(int ClosedEarly, long BytesSent)> OversizedStreamAsync(int port, int count)
    {
        var closedEarly = 0;
        long sent = 0;
        var chunk = new byte[16 * 1024];
        using var gate = new SemaphoreSlim(8);
        var tasks = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse($"127.0.3.{1 + i % 250}"), 0));
                await socket.ConnectAsync(IPAddress.Loopback, port);
                await socket.SendAsync(new byte[] { 0x10, 0x80, 0x80, 0x80, 0x20 });
                for (var written = 0; written < 1024 * 1024; written += chunk.Length)
                {
                    await socket.SendAsync(chunk.AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(15));
                    Interlocked.Add(ref sent, chunk.Length);
                }
            }
            catch (Exception e) when (e is SocketException or TimeoutException)
            {
                Interlocked.Increment(ref closedEarly); // the server hung up (or stopped reading) before the body
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(tasks);
        return (closedEarly, sent);
    }

    private static async Task<(bool Connected, double? PoliceAckMs)> RealGatePanicAsync(int port)
    {
        var device = RegistrySeeder.DeviceId(0);
        var school = RegistrySeeder.SchoolId(0, 1);
        using var client = new MqttClientFactory().CreateMqttClient();
        var acks = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var alarmId = device + ".1.1";
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (WireCodec.TryDecodeAck(e.ApplicationMessage.Payload.ToArray(), out var ack, out _) && ack.Id == alarmId && ack.Stage == AckStage.PoliceAck)
            {
                acks.TrySetResult(true);
            }

            return Task.CompletedTask;
        };
        var result = await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port).WithClientId(device).WithCredentials(device, RegistrySeeder.Secret)
            .WithProtocolVersion(MqttProtocolVersion.V311).WithCleanSession(false).WithTimeout(TimeSpan.FromSeconds(20)).Build());
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            return (false, null);
        }

        await client.SubscribeAsync(Topics.For(school, device, Topics.Ack), MqttQualityOfServiceLevel.AtLeastOnce);
        var alarm = new Alarm
        {
            Id = alarmId, Device = device, Kind = AlarmKind.Panic, Zone = 1, Sequence = 1, BootCount = 1,
            Timestamp = DateTime.UtcNow, UptimeMs = Environment.TickCount64, Restore = false,
        };
        var press = Stopwatch.StartNew();
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topics.For(school, device, Topics.Alarm))
            .WithPayload(WireCodec.EncodeAlarm(alarm)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var acked = await Task.WhenAny(acks.Task, Task.Delay(TimeSpan.FromSeconds(30))) == acks.Task;
        return (true, acked ? press.Elapsed.TotalMilliseconds : null);
    }

    private static async Task<string> HealthAsync(ServerProcess server)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            var health = JsonDocument.Parse(await http.GetStringAsync("/health")).RootElement;
            return health.TryGetProperty("mqttAdmission", out var admission) ? admission.GetRawText() : "(none)";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return "(/health did not answer within 10 s)"; // what the unprotected server did under this attack
        }
    }

    private static long Rss(int pid) => ProcessSampler.Read(pid)?.RssBytes ?? 0;

    private static double Mb(long bytes) => bytes / 1024.0 / 1024.0;
}

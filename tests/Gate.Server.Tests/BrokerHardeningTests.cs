using System.Globalization;
using System.Net.Sockets;
using Gate.PoliceReceiver;
using Gate.SiaDc09;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MQTTnet.Formatter;
using MQTTnet.Packets;

namespace Gate.Server.Tests;

/// <summary>
/// Issue 12, MQTT side: what an unauthenticated (or authenticated but hostile) client can do to the embedded broker
/// over real TCP sockets. Attackers connect from 127.0.0.2, the school's gate from 127.0.0.1, so per-source limits are
/// per source. After every attack a real panic still goes from the gate to the police receiver's acknowledgement.
/// </summary>
public sealed class BrokerHardeningTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task Broker_SilentSockets_AreClosedAtTheConnectDeadlineAndCounted()
    {
        await using var rig = await Rig.StartAsync();
        var silent = await OpenSocketsAsync(rig.Server.BrokerPort, 5);
        await WaitUntilAsync(() => rig.Admission.Pending == 5, "five pending sockets");

        var health = await rig.HealthAsync();
        Assert.Equal(5, health.GetProperty("pendingSockets").GetInt32());

        rig.Server.Time.Advance(TimeSpan.FromSeconds(10));
        foreach (var socket in silent)
        {
            Assert.True(await ClosedByServerAsync(socket), "a silent socket outlived the CONNECT deadline");
        }

        await WaitUntilAsync(() => rig.Counters.RejectedCount("connect:timeout") == 5, "five timeouts counted");
        Assert.Equal(0, rig.Admission.Pending);
        await rig.AssertPanicReachesPoliceAsync(1);
    }

    [Fact]
    public async Task Broker_SilentSockets_CountAgainstMaxConnections()
    {
        // Cap 1 plus the 16 refusal slots: 17 silent sockets fill the door, so even a real gate is turned away.
        await using var rig = await Rig.StartAsync(new() { ["Mqtt:Embedded:MaxConnections"] = "1", ["Mqtt:Embedded:MaxPendingPerSource"] = "100" });
        var silent = await OpenSocketsAsync(rig.Server.BrokerPort, 1 + EmbeddedBroker.RefusalSlots);
        await WaitUntilAsync(() => rig.Admission.Open == 1 + EmbeddedBroker.RefusalSlots, "the door full of silent sockets");

        await using (var refused = new TestDevice("school-a", "gate-1", rig.Credential.Password))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => refused.ConnectAsync(rig.Server.BrokerPort));
        }

        Assert.True(rig.Counters.RejectedCount("connect:server_full") >= 1);

        rig.Server.Time.Advance(TimeSpan.FromSeconds(10));
        foreach (var socket in silent)
        {
            Assert.True(await ClosedByServerAsync(socket));
        }

        await WaitUntilAsync(() => rig.Admission.Open == 0, "the silent sockets gone");
        await rig.AssertPanicReachesPoliceAsync(1);
    }

    [Fact]
    public async Task Broker_SilentSocketsFromOneSource_AreLimited()
    {
        await using var rig = await Rig.StartAsync(new() { ["Mqtt:Embedded:MaxPendingPerSource"] = "3" });
        var silent = await OpenSocketsAsync(rig.Server.BrokerPort, 3);
        await WaitUntilAsync(() => rig.Admission.Pending == 3, "three pending sockets");

        Assert.True(await RefusedAtTheDoorAsync(rig.Server.BrokerPort));
        await WaitUntilAsync(() => rig.Counters.RejectedCount("connect:source_pending") == 1, "the refusal counted");

        // Another address (the school's gate) is not affected.
        await rig.AssertPanicReachesPoliceAsync(1);
        silent.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task Broker_UnauthenticatedConnectAnnouncing64MiB_IsRefusedFromTheFixedHeader()
    {
        await using var rig = await Rig.StartAsync();
        using var socket = await OpenSocketAsync(rig.Server.BrokerPort);

        // CONNECT, remaining length 64 MiB (variable byte integer 80 80 80 20), then only the start of a body: the server
        // must hang up on the header, not wait for (and buffer) 64 MiB.
        await socket.SendAsync(new byte[] { 0x10, 0x80, 0x80, 0x80, 0x20 }.Concat(new byte[512]).ToArray());

        Assert.True(await ClosedByServerAsync(socket), "the server waited for the announced 64 MiB body");
        await WaitUntilAsync(() => rig.Counters.RejectedCount("connect:too_large") == 1, "the refusal counted");
        Assert.Equal(1, rig.Admission.Snapshot().FailedConnects);
        await rig.AssertPanicReachesPoliceAsync(1);
    }

    [Fact]
    public async Task Broker_AuthenticatedDevicesPublishAnnouncing200MB_IsRefusedBeforeItsBody()
    {
        await using var rig = await Rig.StartAsync();
        using var socket = await OpenSocketAsync(rig.Server.BrokerPort, IPAddress.Loopback);
        var formatter = new MqttPacketFormatterAdapter(MqttProtocolVersion.V311, new MqttBufferWriter(4096, 65536));
        var connect = formatter.Encode(new MqttConnectPacket
        {
            ClientId = "gate-1", Username = "gate-1", Password = System.Text.Encoding.UTF8.GetBytes(rig.Credential.Password), CleanSession = true, KeepAlivePeriod = 60,
        }).ToArray();
        await socket.SendAsync(connect);
        var connAck = new byte[4];
        Assert.Equal(4, await socket.ReceiveAsync(connAck.AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0x20, connAck[0]);
        Assert.Equal(0x00, connAck[3]); // accepted

        // PUBLISH QoS 1 announcing 200,000,000 bytes (variable byte integer 80 84 AF 5F), then a little of it.
        await socket.SendAsync(new byte[] { 0x32, 0x80, 0x84, 0xAF, 0x5F }.Concat(new byte[1024]).ToArray());

        Assert.True(await ClosedByServerAsync(socket), "the server waited for the announced 200 MB body");
        await WaitUntilAsync(() => rig.Counters.RejectedCount("packet:too_large") == 1, "the refusal counted");
        await rig.AssertPanicReachesPoliceAsync(1);
    }

    [Fact]
    public async Task Broker_Mqtt5Connack_AnnouncesTheMaximumPacketSize()
    {
        await using var rig = await Rig.StartAsync(new() { ["Mqtt:Embedded:MaxPacketBytes"] = "3000" });
        using var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", rig.Server.BrokerPort)
            .WithClientId("gate-1").WithCredentials("gate-1", rig.Credential.Password)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTimeout(TimeSpan.FromSeconds(20))
            .Build());

        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.Equal(3000u, result.MaximumPacketSize);
    }

    [Fact]
    public async Task Broker_SourceSpendingItsFailedConnectBudget_IsTurnedAwayWithGrowingBackoff()
    {
        await using var rig = await Rig.StartAsync(new() { ["Mqtt:Embedded:FailedConnectBudget"] = "3", ["Mqtt:Embedded:FailedConnectBackoffSeconds"] = "10" });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectFromAsync(rig, Attacker, "not-the-secret"));
        }

        // Blocked: even the right secret from that address is turned away at the socket, while other addresses are served.
        Assert.Null(await ConnectFromAsync(rig, Attacker, rig.Credential.Password));
        Assert.Equal(1, rig.Counters.RejectedCount("connect:source_backoff"));
        Assert.Equal(1, rig.Counters.RejectedCount("connect:source_blocked"));
        var health = await rig.HealthAsync();
        Assert.Equal(1, health.GetProperty("sourcesInBackoff").GetInt32());
        Assert.Equal(3, health.GetProperty("refusals").GetProperty("connect:bad_credential").GetInt64());

        // After 10 s it may try again; three more failures block it for 20 s.
        rig.Server.Time.Advance(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectFromAsync(rig, Attacker, "not-the-secret"));
        }

        rig.Server.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(await ConnectFromAsync(rig, Attacker, rig.Credential.Password));
        rig.Server.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectFromAsync(rig, Attacker, rig.Credential.Password));
        await rig.AssertPanicReachesPoliceAsync(1);
    }

    [Fact]
    public async Task Broker_TlsListener_ServesDevicesAndTimesOutSilentHandshakes()
    {
        var pfx = Path.Combine(Path.GetTempPath(), "gate-broker-" + Guid.NewGuid().ToString("N") + ".pfx");
        using (var key = System.Security.Cryptography.RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=gate-test-broker", key,
                System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllBytesAsync(pfx, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "test"));
        }

        try
        {
            await using var rig = await Rig.StartAsync(new()
            {
                ["Mqtt:Embedded:TlsCertificatePath"] = pfx, ["Mqtt:Embedded:TlsCertificatePassword"] = "test", ["Mqtt:Embedded:TlsPort"] = "0",
            });
            var tlsPort = rig.Server.Get<EmbeddedBroker>().TlsPort!.Value;

            // A socket that opens TLS's port and never says hello is closed at the CONNECT deadline like a plain one.
            using var silent = await OpenSocketAsync(tlsPort);
            await WaitUntilAsync(() => rig.Admission.Pending == 1, "the silent TLS socket pending");
            rig.Server.Time.Advance(TimeSpan.FromSeconds(10));
            Assert.True(await ClosedByServerAsync(silent));
            await WaitUntilAsync(() => rig.Counters.RejectedCount("connect:timeout") == 1, "the timeout counted");

            using var client = new MqttClientFactory().CreateMqttClient();
            var result = await client.ConnectAsync(new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", tlsPort)
                .WithClientId("gate-1").WithCredentials("gate-1", rig.Credential.Password)
                .WithTlsOptions(o => o.UseTls().WithCertificateValidationHandler(_ => true))
                .WithTimeout(TimeSpan.FromSeconds(20))
                .Build());
            Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
            await client.DisconnectAsync();
        }
        finally
        {
            File.Delete(pfx);
        }
    }

    [Fact]
    public async Task Broker_ExemptSource_IsNotTurnedAwayForItsFailures()
    {
        await using var rig = await Rig.StartAsync(new() { ["Mqtt:Embedded:FailedConnectBudget"] = "1", ["Mqtt:Embedded:ExemptSources:0"] = "127.0.0.0/30" });
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectFromAsync(rig, Attacker, "not-the-secret"));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectFromAsync(rig, Attacker, "not-the-secret"));

        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectFromAsync(rig, Attacker, rig.Credential.Password));
        Assert.Equal(0, rig.Counters.RejectedCount("connect:source_backoff"));
        Assert.Equal(2, rig.Counters.RejectedCount("connect:bad_credential"));
    }

    [Fact]
    public void ConnectAdmission_BackoffDoublesUpToTheCeiling()
    {
        var time = new FakeTimeProvider(GateServerFactory.DefaultStart);
        var options = Options.Create(new MqttOptions { Embedded = new EmbeddedBrokerOptions { FailedConnectBudget = 1, FailedConnectBackoffSeconds = 10, MaxFailedConnectBackoffSeconds = 25 } });
        var admission = new ConnectAdmission(options, new IngestCounters(Microsoft.Extensions.Logging.Abstractions.NullLogger<IngestCounters>.Instance, time), time);
        var blockedFor = new List<double>();
        for (var i = 0; i < 4; i++)
        {
            admission.Failed(Attacker);
            var start = time.GetUtcNow();
            while (admission.IsBlocked(Attacker))
            {
                time.Advance(TimeSpan.FromSeconds(1));
            }

            blockedFor.Add((time.GetUtcNow() - start).TotalSeconds);
        }

        Assert.Equal([10, 20, 25, 25], blockedFor);
    }

    [Theory]
    [InlineData(new byte[] { 0x30, 0x7F }, 130, true)] // 127-byte body: 129 bytes whole
    [InlineData(new byte[] { 0x30, 0x80, 0x01 }, 130, false)] // 128-byte body: 131 bytes whole
    [InlineData(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0xFF }, 4096, false)] // a fifth length byte: malformed
    public void PacketSizeLimit_JudgesTheFixedHeader(byte[] header, int limit, bool accepted) =>
        Assert.Equal(accepted, new PacketSizeLimit(limit).Accept(header));

    [Fact]
    public void PacketSizeLimit_FollowsPacketsAcrossReadsOfAnySize()
    {
        // Three packets (PINGREQ, a 200-byte PUBLISH, a 300-byte PUBLISH) fed one byte at a time, then the third alone over the limit.
        var stream = new byte[] { 0xC0, 0x00, 0x30, 0xC8, 0x01 }.Concat(new byte[200]).Concat(new byte[] { 0x30, 0xAC, 0x02 }).Concat(new byte[300]).ToArray();
        var limit = new PacketSizeLimit(400);
        Assert.All(stream, b => Assert.True(limit.Accept([b])));

        var tight = new PacketSizeLimit(250);
        Assert.True(tight.Accept(stream.AsSpan(0, 100)));
        Assert.False(tight.Accept(stream.AsSpan(100)));
        Assert.Equal(303, tight.RefusedSize);
    }

    [Theory]
    [InlineData("Mqtt:Embedded:ConnectTimeoutSeconds", "0")]
    [InlineData("Mqtt:Embedded:MaxPacketBytes", "1024")]
    [InlineData("Mqtt:Embedded:MaxPendingPerSource", "0")]
    [InlineData("Mqtt:Embedded:FailedConnectBudget", "0")]
    [InlineData("Mqtt:Embedded:FailedConnectBackoffSeconds", "1000")]
    [InlineData("Mqtt:Embedded:ExemptSources:0", "10.0.0.0/33")]
    public void Broker_InvalidLimit_FailsAtStartNamingTheKey(string key, string value)
    {
        using var server = new GateServerFactory(settings: new Dictionary<string, string?> { [key] = value });
        var error = Assert.ThrowsAny<Exception>(() => server.Services);
        Assert.Contains(key.EndsWith(":0", StringComparison.Ordinal) ? key[..^2] : key, Flatten(error)); // a list's key is named without its index
    }

    private static string Flatten(Exception e) => e is AggregateException a ? string.Join(" | ", a.InnerExceptions.Select(Flatten)) : e.Message + (e.InnerException is { } inner ? " | " + Flatten(inner) : "");

    /// <summary>Null when the socket was closed before an answer (turned away at the door), else the CONNACK's code.</summary>
    private static async Task<MqttClientConnectResultCode?> ConnectFromAsync(Rig rig, IPAddress source, string password)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        // Not a clean session: MQTTnet deletes a clean session when its connection ends, and that deletion stops whichever
        // connection holds the client id by then, which can already be the school's own gate reconnecting.
        var options = TestDevice.Options(rig.Server.BrokerPort, "gate-1", "gate-1", password, false, null);
        ((MqttClientTcpOptions)options.ChannelOptions).LocalEndpoint = new IPEndPoint(source, 0);
        try
        {
            var code = (await client.ConnectAsync(options)).ResultCode;
            if (client.IsConnected)
            {
                await client.DisconnectAsync(); // cleanly, so the school's own connection later is not a takeover race
            }

            return code;
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task<List<Socket>> OpenSocketsAsync(int port, int count)
    {
        var sockets = new List<Socket>();
        for (var i = 0; i < count; i++)
        {
            sockets.Add(await OpenSocketAsync(port));
        }

        return sockets;
    }

    private static async Task<Socket> OpenSocketAsync(int port, IPAddress? from = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(from ?? Attacker, 0));
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return socket;
    }

    /// <summary>True when a new socket is reset at once (the reset can beat the end of the handshake) or closed soon after.</summary>
    private static async Task<bool> RefusedAtTheDoorAsync(int port)
    {
        Socket socket;
        try
        {
            socket = await OpenSocketAsync(port);
        }
        catch (SocketException)
        {
            return true;
        }

        using (socket)
        {
            return await ClosedByServerAsync(socket);
        }
    }

    /// <summary>True when the server closes (FIN or reset) within a generous wait.</summary>
    private static async Task<bool> ClosedByServerAsync(Socket socket)
    {
        var buffer = new byte[64];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
                if (read == 0)
                {
                    return true;
                }
            }
        }
        catch (SocketException)
        {
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) => Wait.UntilAsync(condition, what);

    /// <summary>The server with forwarding to a real DC-09 police receiver simulator on loopback, and one school gate.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private Rig(PoliceReceiverSimulator police, GateServerFactory server, DeviceCredential credential)
        {
            Police = police;
            Server = server;
            Credential = credential;
        }

        public PoliceReceiverSimulator Police { get; }

        public GateServerFactory Server { get; }

        public DeviceCredential Credential { get; }

        public IngestCounters Counters => Server.Get<IngestCounters>();

        public ConnectAdmission Admission => Server.Get<ConnectAdmission>();

        public static async Task<Rig> StartAsync(Dictionary<string, string?>? settings = null)
        {
            var police = new PoliceReceiverSimulator(new PoliceReceiverOptions { TcpPort = 0, UdpPort = null }, new FakeTimeProvider(GateServerFactory.DefaultStart));
            await police.StartAsync();
            var all = new Dictionary<string, string?>
            {
                ["Forwarding:Primary:Host"] = "127.0.0.1",
                ["Forwarding:Primary:Port"] = police.TcpEndPoint!.Port.ToString(CultureInfo.InvariantCulture),
                ["Forwarding:Primary:Transport"] = "tcp",
            };
            foreach (var (key, value) in settings ?? [])
            {
                all[key] = value;
            }

            var server = new GateServerFactory(settings: all);
            var credential = server.AddDevice("school-a", "gate-1");
            return new Rig(police, server, credential);
        }

        public async Task<JsonElement> HealthAsync()
        {
            var health = await Server.CreateClient().GetFromJsonAsync<JsonElement>("/health");
            return health.GetProperty("mqttAdmission");
        }

        /// <summary>The gate connects from 127.0.0.1, presses panic, and sees the police acknowledgement; the database is intact with exactly those alarms.</summary>
        public async Task AssertPanicReachesPoliceAsync(int expectedAlarms)
        {
            await using var device = await Server.ConnectDeviceAsync(Credential);
            var alarm = device.NewAlarm(12, 1);
            await device.SendAlarmAsync(alarm);
            await device.WaitForAckAsync(alarm.Id, AckStage.PoliceAck);

            using var connection = new SqliteConnection($"Data Source={Path.Combine(Server.DataFolder, "gate.db")};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check;";
            Assert.Equal("ok", check.ExecuteScalar());
            check.CommandText = "SELECT COUNT(*) FROM alarms;";
            Assert.Equal(expectedAlarms, Convert.ToInt32(check.ExecuteScalar(), CultureInfo.InvariantCulture));
            Assert.NotNull(Server.Get<AlarmStore>().Find(alarm.Id));
        }

        public async ValueTask DisposeAsync()
        {
            Server.Dispose();
            await Police.DisposeAsync();
        }
    }
}

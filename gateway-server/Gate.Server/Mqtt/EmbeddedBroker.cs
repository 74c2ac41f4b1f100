using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Gate.Contracts;
using Gate.Server.Alarms;
using Gate.Server.Devices;
using Gate.Server.Liveness;
using Gate.Server.Security;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Gate.Server.Mqtt;

/// <summary>
/// The MQTTnet broker inside the server (default): devices connect here, and their messages are handled in the
/// publish interceptor, before the broker acknowledges them, so an alarm's PUBACK also means "stored".
/// One place wires every broker event.
/// </summary>
public sealed class EmbeddedBroker(
    IOptions<MqttOptions> options,
    DeviceRegistry registry,
    DeviceMessageRouter router,
    AlarmService alarms,
    LivenessTracker liveness,
    IngestCounters counters,
    ConnectAdmission admission,
    TimeProvider time,
    ILogger<EmbeddedBroker> logger) : IHostedService, IDeviceLink, IAsyncDisposable
{
    private MqttServer? _server;
    private DeviceListener? _listener;
    private int _connected;

    public bool IsEmbedded => true;

    /// <summary>The plain MQTT port actually listened on (differs from configuration when it was 0).</summary>
    public int Port { get; private set; }

    public int? TlsPort { get; private set; }

    /// <summary>Device connections accepted beyond this are refused (see <see cref="EmbeddedBrokerOptions.MaxConnections"/>).</summary>
    public int MaxConnections { get; private set; }

    /// <summary>Sockets admitted beyond the cap only to receive a "server unavailable" CONNACK.</summary>
    public const int RefusalSlots = 16;

    /// <summary>First size of a connection's outbound packet buffer: a PUBACK is 4 bytes, an alarm ack about 200.</summary>
    public const int WriterBufferBytes = 256;

    /// <summary>Device connections open now.</summary>
    public int Connected => Volatile.Read(ref _connected);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value.Embedded;
        var fileLimit = OpenFileLimit.Soft();
        MaxConnections = ConnectionCap(o, fileLimit);
        if (o.MaxConnections == 0 && fileLimit is { } limit)
        {
            logger.LogInformation("Embedded broker holds at most {Max} device connections (open-file limit {Limit}, {Reserved} kept for the rest)",
                MaxConnections, limit, o.ReservedFiles);
        }

        // Sockets not yet connected count too; a few beyond the cap are let in only to be told "server unavailable"
        // in their CONNACK (the device then backs off) instead of a bare reset.
        admission.SocketCap = MaxConnections > int.MaxValue - RefusalSlots ? int.MaxValue : MaxConnections + RefusalSlots;

        var bind = IPAddress.Parse(o.BindAddress);
        if (bind.Equals(IPAddress.Any) && Socket.OSSupportsIPv6)
        {
            bind = IPAddress.IPv6Any; // dual mode: IPv4 and IPv6 on one socket, as MQTTnet's listener did
        }

        var endpoints = new List<ListenerEndpoint>();
        if (o.PlainEnabled)
        {
            endpoints.Add(new ListenerEndpoint(bind, o.Port, null));
        }

        if (!string.IsNullOrEmpty(o.TlsCertificatePath))
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(o.TlsCertificatePath, o.TlsCertificatePassword);
            endpoints.Add(new ListenerEndpoint(bind, o.TlsPort, certificate));
        }

        var listener = new DeviceListener(endpoints, o, admission, counters, time, logger);
        listener.Bind();
        _listener = listener;
        var ports = listener.BoundPorts;
        Port = o.PlainEnabled ? ports[0] : 0;
        TlsPort = string.IsNullOrEmpty(o.TlsCertificatePath) ? null : ports[^1];

        // The endpoints are DeviceListener's; MQTTnet's own TCP listener is not started.
        var builder = new MqttServerFactory().CreateServerOptionsBuilder()
            .WithoutDefaultEndpoint()
            .WithPersistentSessions(true) // clean session off on the devices: acks and commands wait for them
            .WithMaxPendingMessagesPerClient(o.MaxPendingMessagesPerClient)
            // MQTTnet's default drops the OLDEST queued message; an old ack matters as much as a new one, and the
            // new one is re-sent (device re-sends its alarm; stages are replayed on reconnect), so drop new and count.
            .WithPendingMessagesOverflowStrategy(MqttPendingMessagesOverflowStrategy.DropNewMessage);

        var serverOptions = builder.Build();
        // Each connection owns one packet writer for what the broker sends it, sized up front (MQTTnet: 4,096 bytes,
        // kept up to 64 KiB). What Gate sends a device is a CONNACK, PUBACKs, pings and acks or commands under 1 KiB,
        // so start small and let it grow; anything it grew to beyond a command's size is given back after the packet.
        serverOptions.WriterBufferSize = WriterBufferBytes;
        serverOptions.WriterBufferSizeMax = Math.Max(WriterBufferBytes, Limits.MaxPayloadBytes);
        var server = new MqttServerFactory().CreateMqttServer(serverOptions, [listener]);
        server.ValidatingConnectionAsync += ValidateConnectionAsync;
        server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        server.InterceptingPublishAsync += InterceptPublishAsync;
        server.ClientConnectedAsync += ClientConnectedAsync;
        server.ClientDisconnectedAsync += ClientDisconnectedAsync;
        server.ApplicationMessageEnqueuedOrDroppedAsync += MessageEnqueuedOrDroppedAsync;
        await server.StartAsync();
        _server = server;
        logger.LogInformation("Embedded MQTT broker listening on {Address}:{Port}{Tls}; CONNECT within {Timeout} s, packets up to {MaxPacket} bytes",
            o.BindAddress, Port, TlsPort is { } tls ? $" and TLS {tls}" : "", o.ConnectTimeoutSeconds, o.MaxPacketBytes);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        liveness.ServerStopping();
        if (_server is { IsStarted: true } server)
        {
            try
            {
                await server.StopAsync(new MqttServerStopOptions());
            }
            catch (InvalidOperationException ex)
            {
                // MQTTnet 5.2 can race its own listener clean-up while connections close ("Collection was modified").
                // Every alarm was committed before its PUBACK, so nothing is lost: log it and finish stopping.
                logger.LogWarning(ex, "The embedded broker raised an error while stopping; continuing shutdown");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _server?.Dispose();
        _listener?.Dispose();
        await Task.CompletedTask;
    }

    /// <summary>
    /// Puts the message straight into the device's own session (delivered now, or when it reconnects: sessions are
    /// persistent). Not InjectApplicationMessage: that matches the topic against every session's subscriptions, and
    /// with 15,000 gates connected that scan was 78 % of the server's CPU in a 10,000-alarm burst (three acks per alarm).
    /// Only the device itself could subscribe to its ack and command topics, so the result is the same.
    /// </summary>
    public async Task PublishToDeviceAsync(string schoolId, string deviceId, string channel, byte[] payload, CancellationToken cancellationToken)
    {
        var server = _server ?? throw new InvalidOperationException("the embedded broker is not running");
        var topic = Topics.For(schoolId, deviceId, channel);
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(false)
            .Build();
        MqttSessionStatus session;
        try
        {
            session = await server.GetSessionAsync(deviceId);
        }
        catch (InvalidOperationException)
        {
            // No session: the device has not connected since the broker started. Alarm acks are replayed when it
            // connects (ReplayAcksAsync), commands time out and say so.
            logger.LogDebug("No session for {Device}; {Topic} not queued", deviceId, topic);
            return;
        }

        if (!session.TryEnqueueApplicationMessage(message, out _))
        {
            counters.Rejected("outbound_dropped", deviceId, topic, "device queue full");
        }
    }

    public async Task DisconnectDeviceAsync(string deviceId, CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            try
            {
                await server.DisconnectClientAsync(deviceId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.NotAuthorized });
            }
            catch (Exception ex)
            {
                logger.LogDebug(ex, "Device {Device} was not connected", deviceId);
            }
        }
    }

    /// <summary>The configured cap, or the open-file limit less the reserve; int.MaxValue when neither is known.</summary>
    public static int ConnectionCap(EmbeddedBrokerOptions o, long? fileLimit) =>
        o.MaxConnections > 0 ? o.MaxConnections
        : fileLimit is { } limit ? (int)Math.Clamp(limit - o.ReservedFiles, 16, int.MaxValue)
        : int.MaxValue;

    private Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        string? refusal = null;
        var device = Identifier.IsValid(e.ClientId) ? registry.Find(e.ClientId) : null;
        if (Connected >= MaxConnections)
        {
            // Full: the device backs off and retries; better than the process running out of descriptors.
            refusal = "server_full";
            e.ReasonCode = MqttConnectReasonCode.ServerUnavailable;
        }
        else if (device is null)
        {
            refusal = "unknown_device";
            e.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
        }
        else if (e.UserName != e.ClientId)
        {
            refusal = "username_mismatch";
            e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
        }
        else if (device.CredentialRevokedAt is not null)
        {
            refusal = "credential_revoked";
            e.ReasonCode = MqttConnectReasonCode.NotAuthorized;
        }
        else if (!SecretHasher.VerifyDeviceSecret(e.Password, device.CredentialHash))
        {
            refusal = "bad_credential";
            e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
        }

        if (refusal is not null)
        {
            counters.Rejected("connect:" + refusal, e.ClientId, null, e.RemoteEndPoint?.ToString());
            if (refusal != "server_full" && e.RemoteEndPoint is IPEndPoint remote)
            {
                admission.Failed(remote.Address); // spends the source's budget of failed connects
            }
        }
        else
        {
            e.ReasonCode = MqttConnectReasonCode.Success;
        }

        return Task.CompletedTask;
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        var filter = e.TopicFilter.Topic;
        var allowed = Topics.TryParse(filter, out _, out var device, out var channel)
            && device == e.ClientId
            && Topics.IsDeviceSubscribeChannel(channel)
            && registry.Find(device) is { } record
            && filter == Topics.For(record.SchoolId, device, channel);
        if (!allowed)
        {
            e.ProcessSubscription = false;
            e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            counters.Rejected("acl_subscribe", e.ClientId, filter);
        }

        return Task.CompletedTask;
    }

    private async Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        var message = e.ApplicationMessage;
        var payload = message.Payload.IsSingleSegment ? message.Payload.First : message.Payload.ToArray();
        var result = await router.HandleAsync(message.Topic, payload, e.ClientId, message.Retain, e.CancellationToken);

        // Nobody else subscribes to device topics; only retained availability/position is kept in the broker.
        e.ProcessPublish = result.Ok && message.Retain;
        if (!result.Ok)
        {
            e.Response.ReasonCode = result.Reason is "foreign_topic" or "not_publish_channel" or "bad_topic" or "wrong_school"
                ? MqttPubAckReasonCode.NotAuthorized
                : result.Retry ? MqttPubAckReasonCode.ImplementationSpecificError : MqttPubAckReasonCode.PayloadFormatInvalid;
            e.Response.ReasonString = result.Reason;
        }
    }

    private Task ClientConnectedAsync(ClientConnectedEventArgs e)
    {
        Interlocked.Increment(ref _connected);
        if (registry.Find(e.ClientId) is not { } device)
        {
            return Task.CompletedTask;
        }

        liveness.OnConnected(device.Id, device.SchoolId, ConnectionKey(e.RemoteEndPoint));
        _ = Task.Run(async () =>
        {
            try
            {
                await alarms.ReplayAcksAsync(device.SchoolId, device.Id, CancellationToken.None);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not replay alarm acks to {Device}", device.Id);
            }
        });
        return Task.CompletedTask;
    }

    private Task ClientDisconnectedAsync(ClientDisconnectedEventArgs e)
    {
        Interlocked.Decrement(ref _connected);
        // An MQTT 5 DISCONNECT with reason 0x04 asks the broker to publish the will: the device is going away
        // uncleanly on purpose (power failing, watchdog), so it counts as its last will, not a clean goodbye.
        var clean = e.DisconnectType == MqttClientDisconnectType.Clean
            && e.ReasonCode != MqttDisconnectReasonCode.DisconnectWithWillMessage;
        liveness.OnDisconnected(e.ClientId, ConnectionKey(e.RemoteEndPoint),
            clean: clean,
            takeover: e.DisconnectType == MqttClientDisconnectType.Takeover);
        return Task.CompletedTask;
    }

    private Task MessageEnqueuedOrDroppedAsync(ApplicationMessageEnqueuedEventArgs e)
    {
        if (e.IsDropped)
        {
            counters.Rejected("outbound_dropped", e.ReceiverClientId, e.ApplicationMessage.Topic, "device queue full");
        }

        return Task.CompletedTask;
    }

    private static string ConnectionKey(EndPoint? endpoint) => endpoint?.ToString() ?? "";
}

using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;

namespace Gate.Server.Mqtt;

/// <summary>One port the broker listens on; with a certificate it speaks TLS.</summary>
public sealed record ListenerEndpoint(IPAddress Address, int Port, X509Certificate2? Certificate);

/// <summary>
/// The embedded broker's TCP door, in place of MQTTnet's own listener (MqttTcpServerAdapter), which hands every accepted
/// socket to MQTTnet at once and then waits up to DefaultCommunicationTimeout (100 s) for a CONNECT, uncounted, and lets
/// MQTTnet allocate whatever length a fixed header announces. Here each socket is first admitted by
/// <see cref="ConnectAdmission"/> (cap, per-source pending limit, per-source backoff), waits for its first byte without
/// a buffer, gets <see cref="EmbeddedBrokerOptions.ConnectTimeoutSeconds"/> to be answered with a CONNACK (TLS handshake
/// included), and reaches MQTTnet through <see cref="GuardedChannel"/>. MQTT itself stays MQTTnet's.
/// </summary>
public sealed class DeviceListener(
    IReadOnlyList<ListenerEndpoint> endpoints,
    EmbeddedBrokerOptions options,
    ConnectAdmission admission,
    IngestCounters counters,
    TimeProvider time,
    ILogger logger) : IMqttServerAdapter
{
    private readonly List<(Socket Socket, ListenerEndpoint Endpoint)> _sockets = [];
    private readonly CancellationTokenSource _stopping = new();
    private MqttServerOptions? _serverOptions;
    private IMqttNetLogger _mqttLogger = MqttNetNullLogger.Instance;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    /// <summary>The ports actually bound, in the order of the endpoints (a configured 0 becomes a free port).</summary>
    public IReadOnlyList<int> BoundPorts => _sockets.Select(s => ((IPEndPoint)s.Socket.LocalEndPoint!).Port).ToList();

    /// <summary>Binds every endpoint now, so the ports are known before MQTTnet starts.</summary>
    public void Bind()
    {
        foreach (var endpoint in endpoints)
        {
            var socket = new Socket(endpoint.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (endpoint.Address.Equals(IPAddress.IPv6Any))
                {
                    socket.DualMode = true;
                }

                socket.Bind(new IPEndPoint(endpoint.Address, endpoint.Port));
                // A deep backlog: when thousands of gates reconnect at once (a regional power cut, a server restart) a
                // short one drops SYNs and every retry waits 1, 3, 7 s... (found by the load test).
                socket.Listen(4096);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            _sockets.Add((socket, endpoint));
        }
    }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        _serverOptions = options;
        _mqttLogger = logger;
        foreach (var (socket, endpoint) in _sockets)
        {
            _ = Task.Run(() => AcceptLoopAsync(socket, endpoint));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        Close();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        Close();
        _stopping.Dispose();
    }

    private void Close()
    {
        if (!_stopping.IsCancellationRequested)
        {
            _stopping.Cancel();
        }

        foreach (var (socket, _) in _sockets)
        {
            socket.Dispose();
        }
    }

    private async Task AcceptLoopAsync(Socket listener, ListenerEndpoint endpoint)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // Typically out of descriptors (EMFILE): keep the door open and let the kernel backlog wait.
                logger.LogWarning("Accepting an MQTT connection failed: {Error}", ex.SocketErrorCode);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            _ = HandleAsync(client, endpoint);
        }
    }

    private async Task HandleAsync(Socket socket, ListenerEndpoint endpoint)
    {
        IPEndPoint remote;
        IPEndPoint local;
        try
        {
            remote = Plain((IPEndPoint)socket.RemoteEndPoint!);
            local = Plain((IPEndPoint)socket.LocalEndPoint!);
        }
        catch (SocketException)
        {
            socket.Dispose(); // gone before we looked
            return;
        }

        if (admission.TryAdmit(remote.Address, out var refusal) is not { } ticket)
        {
            counters.Rejected("connect:" + refusal, null, null, remote.ToString());
            socket.LingerState = new LingerOption(true, 0); // reset: no FIN_WAIT/TIME_WAIT kept for a refused socket
            socket.Dispose();
            return;
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(options.ConnectTimeoutSeconds), time);
        var attempt = new ConnectAttempt(ticket, deadline.Token);
        using var onDeadline = deadline.Token.Register(() =>
        {
            if (!attempt.IsAnswered)
            {
                socket.Dispose(); // ends whatever is waiting on it: the first byte, the TLS handshake or the CONNECT body
            }
        });
        Stream? stream = null;
        try
        {
            socket.NoDelay = true;
            // Linked only until the stream is up: held for the session it kept a registration on the stopping token
            // for every connection (CancellationToken callback nodes were ~480 bytes a device in the heap snapshot).
            using (var either = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, _stopping.Token))
            {
                // Wait for the first byte without a buffer: a silent socket costs the kernel's socket and this task, nothing more.
                await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, either.Token).ConfigureAwait(false);
                stream = new NetworkStream(socket, ownsSocket: true);
                if (endpoint.Certificate is { } certificate)
                {
                    var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                    stream = tls;
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                    {
                        ServerCertificate = certificate,
                        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                        ClientCertificateRequired = false,
                        EncryptionPolicy = EncryptionPolicy.RequireEncryption,
                    }, either.Token).ConfigureAwait(false);
                }
            }

            if (ClientHandler is not { } handler || _serverOptions is not { } serverOptions)
            {
                return;
            }

            var channel = new GuardedChannel(new MqttTcpChannel(stream, local, remote, null!), new PacketSizeLimit(options.MaxPacketBytes), attempt);
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(serverOptions.WriterBufferSize, serverOptions.WriterBufferSizeMax));
            using var adapter = new AnsweringChannelAdapter(new MqttChannelAdapter(channel, formatter, _mqttLogger), attempt, admission, (uint)options.MaxPacketBytes);
            await handler(adapter).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or IOException or SocketException or AuthenticationException)
        {
            // The deadline, a reset, a failed TLS handshake or the server stopping: the socket is done.
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "MQTT connection from {Remote} ended with an error", remote);
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket.Dispose();
            admission.Closed(ticket);
            // Decided here, not in the deadline's callback: cancellation callbacks run in no order we can rely on, and
            // the reads the deadline cancels may finish this method before that callback would have run.
            var failure = attempt.Failure;
            var detail = attempt.FailureDetail;
            if (failure is null && deadline.IsCancellationRequested && !attempt.IsAnswered)
            {
                failure = "connect:timeout";
                detail = $"no CONNECT answered within {options.ConnectTimeoutSeconds} s";
            }

            if (failure is not null)
            {
                admission.Failed(remote.Address);
                counters.Rejected(failure, null, null, $"{remote}: {detail}");
            }
        }
    }

    /// <summary>IPv4 peers of a dual-mode socket arrive as ::ffff:a.b.c.d; the rest of Gate knows them as a.b.c.d.</summary>
    private static IPEndPoint Plain(IPEndPoint endpoint) =>
        endpoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port) : endpoint;
}

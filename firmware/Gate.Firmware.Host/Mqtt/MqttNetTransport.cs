using System.Buffers;
using Gate.Firmware.Connection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Gate.Firmware.Host.Mqtt;

/// <summary>
/// The core's MQTT transport over MQTTnet 5: what M2Mqtt is on the device. Connect runs in the background
/// and reports through the listener; publishes are fire-and-forget with a bounded number in flight
/// (the core re-sends alarms until the server acknowledges them, so a failed publish is not lost).
/// </summary>
public sealed class MqttNetTransport : IMqttTransport, IDisposable
{
    public const int MaxInFlight = 64;

    private static readonly MqttClientFactory Factory = new();
    private readonly object _gate = new();
    private IMqttListener? _listener;
    private IMqttClient? _client;
    private int _generation;
    private int _inFlight;

    /// <summary>Connect timeout: M2Mqtt has none, the core's supervisor aborts after its own; this is a second guard.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public MqttProtocolVersion ProtocolVersion { get; init; } = MqttProtocolVersion.V311;

    public void SetListener(IMqttListener listener) => _listener = listener;

    public void BeginConnect(MqttConnectOptions options)
    {
        IMqttClient client;
        int generation;
        lock (_gate)
        {
            DropClient();
            client = Factory.CreateMqttClient();
            generation = ++_generation;
            _client = client;
        }

        client.ApplicationMessageReceivedAsync += e =>
        {
            if (IsCurrent(generation))
            {
                _listener?.OnMessage(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray());
            }

            return Task.CompletedTask;
        };
        client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected && IsCurrent(generation))
            {
                _listener?.OnDisconnected(e.Reason.ToString());
            }

            return Task.CompletedTask;
        };

        _ = Task.Run(() => ConnectAsync(client, generation, options));
    }

    private async Task ConnectAsync(IMqttClient client, int generation, MqttConnectOptions o)
    {
        try
        {
            var builder = new MqttClientOptionsBuilder()
                .WithTcpServer(o.Host, o.Port)
                .WithClientId(o.ClientId)
                .WithCredentials(o.Username, o.Password)
                .WithCleanSession(false)
                .WithProtocolVersion(ProtocolVersion)
                .WithKeepAlivePeriod(TimeSpan.FromSeconds(o.KeepAliveSeconds))
                .WithTimeout(ConnectTimeout);
            if (o.WillTopic is not null)
            {
                builder = builder.WithWillTopic(o.WillTopic)
                    .WithWillPayload(o.WillPayload)
                    .WithWillQualityOfServiceLevel((MqttQualityOfServiceLevel)o.WillQos)
                    .WithWillRetain(o.WillRetain);
            }

            if (o.UseTls)
            {
                builder = builder.WithTlsOptions(t => t.UseTls());
            }

            using var cts = new CancellationTokenSource(ConnectTimeout);
            await client.ConnectAsync(builder.Build(), cts.Token).ConfigureAwait(false);
            if (o.Subscriptions is { Length: > 0 })
            {
                var subscribe = Factory.CreateSubscribeOptionsBuilder();
                foreach (var topic in o.Subscriptions)
                {
                    subscribe = subscribe.WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce);
                }

                await client.SubscribeAsync(subscribe.Build(), cts.Token).ConfigureAwait(false);
            }

            if (IsCurrent(generation))
            {
                _listener?.OnConnected();
            }
        }
        catch (Exception ex)
        {
            if (IsCurrent(generation))
            {
                _listener?.OnConnectFailed(ex.GetType().Name + ": " + ex.Message);
            }

            client.Dispose();
        }
    }

    /// <summary>Waits (up to the timeout) until every queued publish has completed or failed.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Volatile.Read(ref _inFlight) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    public void Abort()
    {
        lock (_gate)
        {
            _generation++;
            DropClient();
        }
    }

    public bool Publish(string topic, byte[] payload, int qos, bool retain)
    {
        IMqttClient? client;
        lock (_gate)
        {
            client = _client;
        }

        if (client is null || !client.IsConnected || Volatile.Read(ref _inFlight) >= MaxInFlight)
        {
            return false;
        }

        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)qos)
            .WithRetainFlag(retain)
            .Build();
        Interlocked.Increment(ref _inFlight);
        _ = PublishAsync(client, message);
        return true;
    }

    private async Task PublishAsync(IMqttClient client, MqttApplicationMessage message)
    {
        try
        {
            await client.PublishAsync(message).ConfigureAwait(false);
        }
        catch
        {
            // The outbox re-sends alarms; heartbeats are allowed to be lost.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>
    /// Closes the session cleanly (no will): used when a simulated controller is switched off on purpose.
    /// The last word (retained "offline" on the status topic) is published first, since no will follows.
    /// </summary>
    public async Task DisconnectCleanlyAsync(string? lastTopic = null, byte[]? lastPayload = null)
    {
        IMqttClient? client;
        lock (_gate)
        {
            _generation++;
            client = _client;
            _client = null;
        }

        if (client is not null)
        {
            try
            {
                if (client.IsConnected)
                {
                    if (lastTopic is not null)
                    {
                        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(lastTopic).WithPayload(lastPayload)
                            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(true).Build(), cts.Token).ConfigureAwait(false);
                    }

                    await client.DisconnectAsync().ConfigureAwait(false);
                }
            }
            catch
            {
                // Already gone.
            }

            client.Dispose();
        }
    }

    public void Dispose() => Abort();

    private bool IsCurrent(int generation)
    {
        lock (_gate)
        {
            return generation == _generation;
        }
    }

    private void DropClient()
    {
        // Dispose without DISCONNECT: the socket closes and the broker publishes the will, as after a power cut.
        var old = _client;
        _client = null;
        old?.Dispose();
    }
}

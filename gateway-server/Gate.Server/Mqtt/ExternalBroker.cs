using System.Buffers;
using Gate.Contracts;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Polly;
using Polly.Retry;

namespace Gate.Server.Mqtt;

/// <summary>
/// The server as a client of an external broker (Mosquitto, EMQX ...), which then enforces device credentials and ACLs
/// (see docs/operations.md for generating them from the registry). Persistent session and QoS 1 subscriptions, so
/// alarms published while the server is down wait in the broker; a message is acknowledged to the broker only after
/// it was handled (an alarm: stored). With a shared-subscription group, several instances split the load.
/// </summary>
public sealed class ExternalBroker(IOptions<MqttOptions> options, DeviceMessageRouter router, ILogger<ExternalBroker> logger)
    : BackgroundService, IDeviceLink
{
    /// <summary>
    /// Alarms and command results are promises (stored before the broker hears our PUBACK): QoS 1. Heartbeats, status
    /// and position are periodic or retained and only ever replaced by the next one: QoS 0, so the broker streams them
    /// without waiting for a PUBACK each. At QoS 1 Mosquitto's in-flight window (20) held a province's 1,667
    /// heartbeats/s to ~1,500/s through one subscriber, and every device went "late".
    /// </summary>
    private static readonly (string Channel, MqttQualityOfServiceLevel Qos)[] Channels =
    [
        (Topics.Alarm, MqttQualityOfServiceLevel.AtLeastOnce),
        (Topics.Result, MqttQualityOfServiceLevel.AtLeastOnce),
        (Topics.Heartbeat, MqttQualityOfServiceLevel.AtMostOnce),
        (Topics.Status, MqttQualityOfServiceLevel.AtMostOnce),
        (Topics.State, MqttQualityOfServiceLevel.AtMostOnce),
    ];
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly TaskCompletionSource _firstConnect = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsEmbedded => false;

    public bool IsConnected => _client.IsConnected;

    /// <summary>Completes once the first connection and subscriptions are in place (tests wait on it).</summary>
    public Task Connected => _firstConnect.Task;

    public async Task PublishToDeviceAsync(string schoolId, string deviceId, string channel, byte[] payload, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(Topics.For(schoolId, deviceId, channel))
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var result = await _client.PublishAsync(message, cancellationToken);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"broker refused publish to {message.Topic}: {result.ReasonCode}");
        }
    }

    public Task DisconnectDeviceAsync(string deviceId, CancellationToken cancellationToken)
    {
        logger.LogWarning("Device {Device} revoked: regenerate the broker's password file so the external broker refuses it", deviceId);
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value.External;
        _client.ApplicationMessageReceivedAsync += async e =>
        {
            // Acknowledge to the broker only after handling: an alarm the server could not store is redelivered.
            var message = e.ApplicationMessage;
            var atLeastOnce = message.QualityOfServiceLevel != MqttQualityOfServiceLevel.AtMostOnce;
            e.AutoAcknowledge = !atLeastOnce;
            var result = await router.HandleAsync(message.Topic, message.Payload.ToArray(), null, message.Retain, stoppingToken);
            if (atLeastOnce && !result.Retry)
            {
                await e.AcknowledgeAsync(stoppingToken);
            }
        };

        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(o.Host, o.Port)
            .WithClientId(o.ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithCleanSession(false)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(o.KeepAliveSeconds))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (!string.IsNullOrEmpty(o.Username))
        {
            builder = builder.WithCredentials(o.Username, o.Password);
        }

        if (o.UseTls)
        {
            builder = builder.WithTlsOptions(t => t.UseTls());
        }

        var clientOptions = builder.Build();

        // Reconnecting: 1 s, then doubling up to MaxReconnectDelaySeconds, for as long as the server runs; a success
        // starts the next outage at 1 s again. Real time on purpose: reconnecting is not part of the liveness clock
        // that tests fake.
        var reconnect = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = TimeSpan.FromSeconds(Math.Max(1, o.MaxReconnectDelaySeconds)),
                OnRetry = args =>
                {
                    logger.LogWarning("Cannot reach the external MQTT broker {Host}:{Port} ({Message}); retrying in {Delay}s",
                        o.Host, o.Port, args.Outcome.Exception?.Message, args.RetryDelay.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!_client.IsConnected)
                {
                    await reconnect.ExecuteAsync(token => ConnectAndSubscribeAsync(clientOptions, o, token), stoppingToken);
                }

                // Watch the link; MQTTnet reports a lost connection through IsConnected.
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async ValueTask ConnectAndSubscribeAsync(MqttClientOptions clientOptions, ExternalBrokerOptions o, CancellationToken cancellationToken)
    {
        // Connected but not subscribed (the subscription failed): the next try only subscribes.
        if (!_client.IsConnected)
        {
            var connected = await _client.ConnectAsync(clientOptions, cancellationToken);
            if (connected.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new InvalidOperationException($"broker refused the connection: {connected.ResultCode}");
            }
        }

        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var (channel, qos) in Channels)
        {
            var filter = "gate/v1/+/+/" + channel;
            subscribe.WithTopicFilter(string.IsNullOrEmpty(o.SharedGroup) ? filter : $"$share/{o.SharedGroup}/{filter}", qos);
        }

        await _client.SubscribeAsync(subscribe.Build(), cancellationToken);
        logger.LogInformation("Connected to the external MQTT broker {Host}:{Port}{Shared}", o.Host, o.Port,
            string.IsNullOrEmpty(o.SharedGroup) ? "" : $" (shared group {o.SharedGroup})");
        _firstConnect.TrySetResult();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken);
        }

        _client.Dispose();
    }
}

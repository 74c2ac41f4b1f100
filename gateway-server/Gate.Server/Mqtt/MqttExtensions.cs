using System.Net;
using Gate.Server.Alarms;
using Gate.Server.Commands;
using Gate.Server.Liveness;
using Microsoft.Extensions.Options;

namespace Gate.Server.Mqtt;

public static class MqttExtensions
{
    /// <summary>Gate's largest payload (1 KiB) plus a topic, properties and headers.</summary>
    public const int MinPacketBytes = 1536;

    /// <summary>The device side: embedded broker or external broker client, the router and one handler per channel.</summary>
    public static IServiceCollection AddMqttIngest(this IServiceCollection services)
    {
        services.AddOptions<MqttOptions>()
            .BindConfiguration(MqttOptions.Section)
            .Validate(o => o.IsEmbedded || string.Equals(o.Mode, "external", StringComparison.OrdinalIgnoreCase),
                "Mqtt:Mode must be \"embedded\" or \"external\".")
            .Validate(o => !o.IsEmbedded || o.Embedded.Port is >= 0 and <= 65535, "Mqtt:Embedded:Port must be 0-65535 (0 picks a free port).")
            .Validate(o => !o.IsEmbedded || IPAddress.TryParse(o.Embedded.BindAddress, out _), "Mqtt:Embedded:BindAddress must be an IP address, e.g. 0.0.0.0.")
            .Validate(o => !o.IsEmbedded || string.IsNullOrEmpty(o.Embedded.TlsCertificatePath) || File.Exists(o.Embedded.TlsCertificatePath),
                "Mqtt:Embedded:TlsCertificatePath names a file that does not exist.")
            .Validate(o => !o.IsEmbedded || o.Embedded.PlainEnabled || !string.IsNullOrEmpty(o.Embedded.TlsCertificatePath),
                "Mqtt:Embedded:PlainEnabled=false needs Mqtt:Embedded:TlsCertificatePath, or devices could not connect at all.")
            .Validate(o => o.Embedded.MaxPendingMessagesPerClient is >= 10 and <= 1_000_000, "Mqtt:Embedded:MaxPendingMessagesPerClient must be 10-1000000.")
            .Validate(o => o.Embedded.MaxConnections >= 0, "Mqtt:Embedded:MaxConnections must be 0 (from the open-file limit) or a positive number.")
            .Validate(o => o.Embedded.ReservedFiles is >= 64 and <= 100_000, "Mqtt:Embedded:ReservedFiles must be 64-100000.")
            .Validate(o => o.Embedded.ConnectTimeoutSeconds is >= 1 and <= 300, "Mqtt:Embedded:ConnectTimeoutSeconds must be 1-300.")
            .Validate(o => o.Embedded.MaxPacketBytes is >= MinPacketBytes and <= 1_048_576,
                $"Mqtt:Embedded:MaxPacketBytes must be {MinPacketBytes}-1048576 (a device's 1 KiB payload with its topic must fit).")
            .Validate(o => o.Embedded.MaxPendingPerSource is >= 1 and <= 100_000, "Mqtt:Embedded:MaxPendingPerSource must be 1-100000.")
            .Validate(o => o.Embedded.FailedConnectBudget is >= 1 and <= 100_000, "Mqtt:Embedded:FailedConnectBudget must be 1-100000.")
            .Validate(o => o.Embedded.FailedConnectWindowSeconds is >= 1 and <= 86_400, "Mqtt:Embedded:FailedConnectWindowSeconds must be 1-86400.")
            .Validate(o => o.Embedded.FailedConnectBackoffSeconds is >= 1 && o.Embedded.FailedConnectBackoffSeconds <= o.Embedded.MaxFailedConnectBackoffSeconds,
                "Mqtt:Embedded:FailedConnectBackoffSeconds must be at least 1 and at most Mqtt:Embedded:MaxFailedConnectBackoffSeconds.")
            .Validate(o => o.Embedded.ExemptSources.All(n => ConnectAdmission.TryParseNetwork(n, out _)),
                "Mqtt:Embedded:ExemptSources must hold networks in CIDR form (10.20.0.0/16) or single IP addresses.")
            .Validate(o => o.Embedded.MaxFailedConnectBackoffSeconds <= 86_400, "Mqtt:Embedded:MaxFailedConnectBackoffSeconds must be at most 86400.")
            .Validate(o => o.IsEmbedded || !string.IsNullOrWhiteSpace(o.External.Host), "Mqtt:External:Host is required when Mqtt:Mode is external.")
            .Validate(o => o.IsEmbedded || o.External.Port is > 0 and <= 65535, "Mqtt:External:Port must be 1-65535.")
            .Validate(o => o.IsEmbedded || o.External.ClientId is { Length: > 0 and <= 64 },
                "Mqtt:External:ClientId is required, at most 64 characters, unique per server instance.")
            .Validate(o => string.IsNullOrEmpty(o.External.SharedGroup) || !o.External.SharedGroup.AsSpan().ContainsAny("/+#"),
                "Mqtt:External:SharedGroup must not contain '/', '+' or '#'.")
            .ValidateOnStart();

        services.AddSingleton<IngestCounters>();
        services.AddSingleton<ConnectAdmission>();
        services.AddSingleton<DeviceClock>();
        services.AddSingleton<DeviceMessageRouter>();
        services.AddSingleton<IDeviceMessageHandler, HeartbeatHandler>();
        services.AddSingleton<IDeviceMessageHandler, StatusHandler>();
        services.AddSingleton<IDeviceMessageHandler, StateHandler>();
        services.AddSingleton<IDeviceMessageHandler>(sp => sp.GetRequiredService<AlarmService>());
        services.AddSingleton<IDeviceMessageHandler>(sp => sp.GetRequiredService<CommandService>());

        // The outbound seam: what the features inject to reach a device. The brokers take the router (inbound), the
        // features take this (outbound), so neither graph needs the other.
        services.AddSingleton<DeviceOutbound>();
        services.AddSingleton<IDeviceLink>(sp => sp.GetRequiredService<DeviceOutbound>());
        services.AddSingleton<EmbeddedBroker>();
        services.AddSingleton<ExternalBroker>();
        services.AddHostedService<BrokerHost>();
        return services;
    }

    /// <summary>Attaches and starts whichever broker side the configuration chose; the other is never started.</summary>
    private sealed class BrokerHost(IOptions<MqttOptions> options, EmbeddedBroker embedded, ExternalBroker external, DeviceOutbound outbound)
        : IHostedService
    {
        private IHostedService? _broker;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            // Attached before it starts: a device that connects at once is answered (its acks replayed) through it.
            (IHostedService Host, IDeviceLink Link) broker = options.Value.IsEmbedded ? (embedded, embedded) : (external, external);
            outbound.Attach(broker.Link);
            _broker = broker.Host;
            return _broker.StartAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => _broker?.StopAsync(cancellationToken) ?? Task.CompletedTask;
    }
}

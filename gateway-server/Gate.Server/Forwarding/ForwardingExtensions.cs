using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gate.Server.Forwarding;

public static class ForwardingExtensions
{
    /// <summary>
    /// Registers forwarding to the police: options from "Forwarding" (validated at start-up), the outbox store, the
    /// configured paths (primary and backup DC-09 receivers, webhook), their live status and the background service.
    /// Needs <see cref="Storage.GateDatabase"/> registered as a singleton and one <see cref="IDeliveryProgress"/> (the
    /// Alarms feature) that records each delivery step on its alarm; <see cref="AlarmOutbox"/> is what alarms are queued with.
    /// </summary>
    public static IServiceCollection AddForwarding(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ForwardingOptions>()
            .Bind(configuration.GetSection(ForwardingOptions.Section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ForwardingOptions>, ForwardingOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(WebhookForwarder.HttpClientName);
        services.TryAddSingleton<Storage.GroupCommitWriter>();
        services.TryAddSingleton<AlarmOutbox>();
        services.TryAddSingleton<ForwardingStore>();
        services.TryAddSingleton<ForwardingStatus>();
        Metrics.MetricsExtensions.AddGateMeter(services);
        services.TryAddSingleton<DeliveryLatency>();
        services.TryAddSingleton(sp => new Dc09SequenceCounter(sp.GetRequiredService<Storage.GateDatabase>()));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ForwardingOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            var sequences = sp.GetRequiredService<Dc09SequenceCounter>();
            var forwarders = new List<IAlarmForwarder>();
            if (options.Primary is { } primary)
            {
                forwarders.Add(new Dc09Forwarder("primary", primary, options, time, sequences));
            }

            if (options.Backup is { } backup)
            {
                forwarders.Add(new Dc09Forwarder("backup", backup, options, time, sequences));
            }

            if (options.Webhook is { } webhook)
            {
                var http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(WebhookForwarder.HttpClientName);
                forwarders.Add(new WebhookForwarder(http, webhook, time));
            }

            return new ForwardingPaths(forwarders);
        });
        services.AddHostedService<ForwardingService>();
        return services;
    }
}

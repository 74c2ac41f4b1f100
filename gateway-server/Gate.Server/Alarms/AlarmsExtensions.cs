using Gate.Server.Forwarding;

namespace Gate.Server.Alarms;

public static class AlarmsExtensions
{
    public static IServiceCollection AddAlarms(this IServiceCollection services)
    {
        services.AddSingleton<AlarmStore>();
        services.AddSingleton<AlarmService>();
        services.AddSingleton<AlarmHistory>();
        Metrics.MetricsExtensions.AddGateMeter(services);
        // The one implementation of Forwarding's seam back to the alarm: delivery steps recorded in the forwarder's transaction.
        services.AddSingleton<IDeliveryProgress>(sp => sp.GetRequiredService<AlarmService>());
        return services;
    }
}

using Gate.Server.Forwarding;

namespace Gate.Server.Alarms;

public static class AlarmsExtensions
{
    public static IServiceCollection AddAlarms(this IServiceCollection services)
    {
        services.AddSingleton<AlarmStore>();
        services.AddSingleton<AlarmService>();
        services.AddSingleton<IDeliveryObserver>(sp => sp.GetRequiredService<AlarmService>());
        return services;
    }
}

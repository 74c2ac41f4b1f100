namespace Gate.Server.Events;

public static class EventsExtensions
{
    public static IServiceCollection AddEvents(this IServiceCollection services)
    {
        services.AddSingleton<ChangeFeed>();
        services.AddSingleton<EventLog>();
        services.AddHostedService<EventLogService>();
        return services;
    }
}

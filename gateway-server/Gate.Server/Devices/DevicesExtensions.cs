namespace Gate.Server.Devices;

public static class DevicesExtensions
{
    public static IServiceCollection AddDevices(this IServiceCollection services)
    {
        services.AddSingleton<DeviceRegistry>();
        return services;
    }
}

namespace Gate.Server.Commands;

public static class CommandsExtensions
{
    public static IServiceCollection AddCommands(this IServiceCollection services)
    {
        services.AddOptions<CommandOptions>()
            .BindConfiguration(CommandOptions.Section)
            .Validate(o => o.DefaultTtlSeconds is >= 1 and <= Gate.Contracts.Limits.MaxCommandTtlSeconds, "Commands:DefaultTtlSeconds must be 1-3600.")
            .Validate(o => o.TimeoutGraceSeconds >= 0 && o.CheckPeriodSeconds >= 1, "Commands:TimeoutGraceSeconds must be >= 0 and Commands:CheckPeriodSeconds >= 1.")
            .ValidateOnStart();
        services.AddSingleton<CommandStore>();
        services.AddSingleton<CommandService>();
        services.AddHostedService<CommandTimeoutService>();
        return services;
    }
}

namespace Gate.Server.Returns;

public static class ReturnsExtensions
{
    /// <summary>Registers the monthly return and its options (section "Returns").</summary>
    public static IServiceCollection AddReturns(this IServiceCollection services)
    {
        services.AddOptions<ReturnsOptions>()
            .BindConfiguration(ReturnsOptions.Section)
            .Validate(o => o.LinkValidityDays is >= 1 and <= 366, "Returns:LinkValidityDays must be between 1 and 366.")
            .Validate(o => o.UtcOffsetHours is >= -12 and <= 14, "Returns:UtcOffsetHours must be between -12 and 14.")
            .Validate(o => o.Cities.All(c => !string.IsNullOrWhiteSpace(c.Name)), "Returns:Cities: every city needs a Name.")
            .ValidateOnStart();
        services.AddSingleton<ReturnStore>();
        services.AddSingleton<ReturnMeasurement>();
        services.AddSingleton<ReturnBook>();
        return services;
    }
}

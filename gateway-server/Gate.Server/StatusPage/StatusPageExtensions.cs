namespace Gate.Server.StatusPage;

public static class StatusPageExtensions
{
    /// <summary>Registers the page's read models and options (section "StatusPage").</summary>
    public static IServiceCollection AddStatusPage(this IServiceCollection services)
    {
        services.AddOptions<StatusPageOptions>()
            .BindConfiguration(StatusPageOptions.Section)
            .Validate(o => o.ComplianceWindowDays is >= 1 and <= 366, "StatusPage:ComplianceWindowDays must be between 1 and 366.")
            .Validate(o => o.DeliveryTroubleSeconds is >= 5 and <= 86_400, "StatusPage:DeliveryTroubleSeconds must be between 5 and 86400.")
            .Validate(o => o.HistoryLimit is >= 10 and <= 5000, "StatusPage:HistoryLimit must be between 10 and 5000.")
            .Validate(o => o.ResolvedVisibleMinutes is >= 0 and <= 1440, "StatusPage:ResolvedVisibleMinutes must be between 0 and 1440.")
            .ValidateOnStart();
        services.AddSingleton<DeviceTileQuery>();
        services.AddSingleton<DutyAlarmQuery>();
        services.AddSingleton<ComplianceQuery>();
        return services;
    }

    /// <summary>
    /// Maps the page's API. The page itself is wwwroot, served by the host's UseDefaultFiles/UseStaticFiles without a
    /// login (it holds no data, and the login form is part of it); every /api call behind it needs one.
    /// </summary>
    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder app) => app.MapStatusPageApi();
}

using Microsoft.Extensions.Options;

namespace Gate.Server.Provisioning;

public static class ProvisioningExtensions
{
    /// <summary>Board catalog, registration with boards, bundles, replace/decommission and the acceptance test.</summary>
    public static IServiceCollection AddProvisioning(this IServiceCollection services)
    {
        services.AddOptions<ProvisioningOptions>()
            .BindConfiguration(ProvisioningOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.BrokerHost), "Provisioning:BrokerHost must name the broker as devices reach it.")
            .Validate(o => o.BrokerPort is >= 1 and <= 65535, "Provisioning:BrokerPort must be 1-65535.")
            .Validate(o => !o.BrokerTls || !string.IsNullOrWhiteSpace(o.CaCertificatePath), "Provisioning:CaCertificatePath is required when Provisioning:BrokerTls is true.")
            .Validate(o => NanoffCommandLines.IsValidSerialPort(o.DefaultSerialPort), "Provisioning:DefaultSerialPort must be a port name such as /dev/ttyUSB0 or COM5.")
            .Validate(o => o.Acceptance.OnlineSeconds > 0 && o.Acceptance.DrillOnSeconds > 0 && o.Acceptance.PressSeconds > 0
                && o.Acceptance.PoliceAckSeconds > 0 && o.Acceptance.LightSeconds > 0 && o.Acceptance.LatchResetSeconds > 0,
                "Provisioning:Acceptance step limits must be positive seconds.")
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ProvisioningOptions>>().Value;
            var env = sp.GetRequiredService<IHostEnvironment>();
            var folder = !string.IsNullOrWhiteSpace(options.BoardsPath)
                ? (Path.IsPathRooted(options.BoardsPath) ? options.BoardsPath : Path.Combine(env.ContentRootPath, options.BoardsPath))
                : BoardCatalog.FindBoardsFolder(env.ContentRootPath) ?? BoardCatalog.FindBoardsFolder(AppContext.BaseDirectory) ?? Path.Combine(env.ContentRootPath, "boards");
            var catalog = BoardCatalog.Load(folder);
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Gate.Server.Provisioning");
            foreach (var error in catalog.Errors)
            {
                logger.LogError("Board file refused: {Error}", error);
            }

            logger.LogInformation("Boards from {Folder}: {Boards}", folder, string.Join(", ", catalog.Boards.Select(b => b.Id)));
            return catalog;
        });
        services.AddSingleton<ProvisioningStore>();
        services.AddSingleton<DeviceProvisioning>();
        services.AddSingleton<IAcceptanceProbe, ServerAcceptanceProbe>();
        services.AddSingleton<AcceptanceTestService>();
        services.AddHostedService<CommissioningRecovery>();
        return services;
    }
}

/// <summary>At start-up, closes runs a previous process left running: they can never finish.</summary>
internal sealed class CommissioningRecovery(ProvisioningStore store, TimeProvider time, ILogger<CommissioningRecovery> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var aborted = store.AbortUnfinished(time.GetUtcNow());
        if (aborted > 0)
        {
            logger.LogWarning("Closed {Count} acceptance runs left unfinished by the previous server process", aborted);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

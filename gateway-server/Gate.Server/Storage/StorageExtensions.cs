using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gate.Server.Storage;

public static class StorageExtensions
{
    /// <summary>Registers the one database; it is migrated when first resolved, before any feature touches it.</summary>
    public static IServiceCollection AddGateStorage(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.Path), "Database:Path must name the SQLite file, e.g. data/gate.db.")
            .Validate(o => o.BusyTimeoutMs is >= 100 and <= 600_000, "Database:BusyTimeoutMs must be between 100 and 600000.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.BackupFolder), "Database:BackupFolder must name a folder, e.g. data/backups.")
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var env = sp.GetRequiredService<IHostEnvironment>();
            var path = Path.IsPathRooted(options.Path) ? options.Path : Path.Combine(env.ContentRootPath, options.Path);
            var database = new GateDatabase(path, options.BusyTimeoutMs);
            database.Migrate();
            return database;
        });
        services.TryAddSingleton<GroupCommitWriter>();
        services.TryAddSingleton<DatabaseBackup>();
        services.AddHostedService<DataFolderCheck>();
        return services;
    }
}

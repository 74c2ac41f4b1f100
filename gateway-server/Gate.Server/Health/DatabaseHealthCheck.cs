using Gate.Server.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gate.Server.Health;

/// <summary>The SQLite file answers a query: without it no alarm can be stored, so the server is not ready.</summary>
public sealed class DatabaseHealthCheck(GateDatabase database) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var connection = database.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1;";
            command.ExecuteScalar();
            return Task.FromResult(HealthCheckResult.Healthy(Path.GetFileName(database.FilePath)));
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("the database cannot be queried: " + e.Message));
        }
    }
}

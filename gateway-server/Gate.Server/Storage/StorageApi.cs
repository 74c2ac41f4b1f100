using System.Security.Claims;
using Gate.Server.Events;
using Gate.Server.Security;
using Gate.Server.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gate.Server.Storage;

/// <summary>A backup file as the API lists it (the name only: the folder is the server's business).</summary>
public sealed record BackupFile(string Name, long Bytes, DateTimeOffset WrittenAt);

public static class StorageApi
{
    public static IEndpointRouteBuilder MapStorage(this IEndpointRouteBuilder app)
    {
        var backups = app.MapGroup("/api/admin/backups").WithTags("Storage").RequireAuthorization(Policies.Administer).WithApiContract();
        backups.MapPost("/", Write)
            .WithSummary("Take a backup of the live database")
            .WithDescription("Copies the running database with SQLite's online backup API into Database:BackupFolder (default: backups/ beside the database file), checks the copy with integrity_check and returns its file name. Alarms keep being stored meanwhile. Restore is an offline step: see docs/operations.md.")
            .ProducesProblem(StatusCodes.Status507InsufficientStorage);
        backups.MapGet("/", List)
            .WithSummary("List the backups in the backup folder")
            .WithDescription("Newest first: file name, size and time written.");
        return app;
    }

    private static Results<Created<BackupFile>, ProblemHttpResult> Write(DatabaseBackup backup, EventLog events, ClaimsPrincipal user, ILoggerFactory loggers)
    {
        try
        {
            var result = backup.WriteToFolder();
            var name = Path.GetFileName(result.File);
            events.Record(SecurityEvents.BackupWritten, null, null, user.Identity?.Name, $"database backup {name} ({result.Bytes} bytes, schema {result.SchemaVersion})");
            return TypedResults.Created("/api/admin/backups/" + name, new BackupFile(name, result.Bytes, result.TakenAt));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            loggers.CreateLogger("Gate.Server.Storage.Backup").LogError(e, "Database backup into {Folder} failed", backup.Folder);
            return TypedResults.Problem(statusCode: StatusCodes.Status507InsufficientStorage, title: "Backup failed", detail: e.Message);
        }
    }

    private static Ok<BackupFile[]> List(DatabaseBackup backup)
    {
        if (!Directory.Exists(backup.Folder))
        {
            return TypedResults.Ok(Array.Empty<BackupFile>());
        }

        var files = new DirectoryInfo(backup.Folder).GetFiles("gate-*.db")
            .OrderByDescending(f => f.Name, StringComparer.Ordinal)
            .Select(f => new BackupFile(f.Name, f.Length, f.LastWriteTimeUtc))
            .ToArray();
        return TypedResults.Ok(files);
    }
}

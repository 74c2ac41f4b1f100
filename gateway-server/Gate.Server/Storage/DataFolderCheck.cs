namespace Gate.Server.Storage;

/// <summary>
/// At start-up, warns about every entry of the data folder that other accounts may read or enter: files made before
/// the server created them private, or copied in by hand. It does not change them; the operator decides.
/// </summary>
public sealed class DataFolderCheck(GateDatabase database, ILogger<DataFolderCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (path, mode) in WiderThanPrivate(Path.GetDirectoryName(database.FilePath)!))
        {
            logger.LogWarning("{Path} is open to other accounts (mode {Mode}); it holds secrets: chmod {Wanted} {Path}",
                path, Octal(mode), Directory.Exists(path) ? "700" : "600", path);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The folder itself and everything under it with any group or other permission bit.</summary>
    public static IReadOnlyList<(string Path, UnixFileMode Mode)> WiderThanPrivate(string folder)
    {
        var wide = new List<(string, UnixFileMode)>();
        if (OperatingSystem.IsWindows() || !Directory.Exists(folder))
        {
            return wide;
        }

        foreach (var path in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Prepend(folder))
        {
            try
            {
                var mode = File.GetUnixFileMode(path);
                if ((mode & DataFiles.OthersMayUse) != 0)
                {
                    wide.Add((path, mode));
                }
            }
            catch (IOException)
            {
                // Gone meanwhile (a -shm file at shutdown of another process): nothing to warn about.
            }
        }

        return wide;
    }

    public static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');
}

namespace Gate.Server.Storage;

/// <summary>
/// The server's data folder holds secrets (hashes in gate.db, the session-sealing keys, a generated admin password), so
/// it is 0700 and its files 0600, set when they are created rather than tightened afterwards (a chmod after the fact
/// leaves a moment in which another account can open the file and keep it open).
/// </summary>
public static class DataFiles
{
    public const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Group and other bits: any of them on a data file or folder is a warning.</summary>
    public const UnixFileMode OthersMayUse =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates the folder (and any missing parents) 0700; an existing folder is left as it is.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, PrivateFolder);
        }
    }

    /// <summary>Creates an empty 0600 file unless it exists.</summary>
    public static void CreatePrivateFile(string path)
    {
        try
        {
            using var _ = new FileStream(path, PrivateCreate(FileMode.CreateNew));
        }
        catch (IOException) when (File.Exists(path))
        {
            // Already there (an earlier start, or another process won the race): its mode is checked at start-up.
        }
    }

    /// <summary>Options that create a file 0600 (on Unix) with the given mode.</summary>
    public static FileStreamOptions PrivateCreate(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFile;
        }

        return options;
    }
}

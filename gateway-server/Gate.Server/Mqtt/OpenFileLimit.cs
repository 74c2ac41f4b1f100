using System.Globalization;

namespace Gate.Server.Mqtt;

/// <summary>The process's open-file limit (RLIMIT_NOFILE), read from /proc/self/limits; null where that is not available.</summary>
public static class OpenFileLimit
{
    public static long? Soft() => OperatingSystem.IsLinux() ? Parse(SafeRead("/proc/self/limits")) : null;

    /// <summary>"Max open files            20000                20000                files" gives 20000; "unlimited" gives null.</summary>
    public static long? Parse(string? limits)
    {
        if (limits is null)
        {
            return null;
        }

        foreach (var line in limits.Split('\n'))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft) ? soft : null;
        }

        return null;
    }

    private static string? SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}

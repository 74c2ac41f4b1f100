using Gate.Server.Devices;

namespace Gate.Server.Hosting;

/// <summary>
/// One-shot commands instead of serving:
/// <c>dotnet run --project gateway-server/Gate.Server -- export-mosquitto FOLDER [SERVER_USER]</c> writes Mosquitto's
/// password and ACL files from the registry.
/// </summary>
public static class ServerCommands
{
    public static bool TryRun(WebApplication app, string[] args, out int exitCode)
    {
        exitCode = 0;
        var index = Array.IndexOf(args, "export-mosquitto");
        if (index < 0)
        {
            return false;
        }

        if (index + 1 >= args.Length)
        {
            Console.Error.WriteLine("usage: export-mosquitto FOLDER [SERVER_USER]");
            exitCode = 2;
            return true;
        }

        var folder = Path.GetFullPath(args[index + 1]);
        var serverUser = index + 2 < args.Length && !args[index + 2].StartsWith('-') ? args[index + 2] : "gate-server";
        var registry = app.Services.GetRequiredService<DeviceRegistry>();
        MosquittoExport.WriteFiles(registry, folder, serverUser);
        Console.WriteLine($"Wrote {Path.Combine(folder, "passwd")} and {Path.Combine(folder, "acl")} for {registry.Count} device(s) and server user {serverUser}.");
        return true;
    }
}

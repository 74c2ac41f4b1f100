using System.CommandLine;
using Gate.Server.Devices;

namespace Gate.Server.Hosting;

/// <summary>
/// One-shot commands instead of serving:
/// <c>dotnet run --project gateway-server/Gate.Server -- export-mosquitto FOLDER [SERVER_USER]</c> writes Mosquitto's
/// password and ACL files from the registry. Parsed with System.CommandLine like the other tools; without a command
/// word the arguments are the host's configuration and the server serves.
/// </summary>
public static class ServerCommands
{
    private const string ExportMosquitto = "export-mosquitto";

    public static bool TryRun(WebApplication app, string[] args, out int exitCode)
    {
        exitCode = 0;
        var index = Array.IndexOf(args, ExportMosquitto);
        if (index < 0)
        {
            return false;
        }

        // The command is the verb and its words up to the first configuration switch (--Database:Path=...): the
        // switches, wherever they stand, are the host's and were read when the app was built.
        var command = args.Skip(index).TakeWhile((a, i) => i == 0 || !a.StartsWith('-') || a is "-h" or "--help" or "-?").ToArray();
        var registry = app.Services.GetRequiredService<DeviceRegistry>();
        exitCode = Root(registry).Parse(command).Invoke();
        return true;
    }

    private static RootCommand Root(DeviceRegistry registry)
    {
        var folder = new Argument<DirectoryInfo>("FOLDER") { Description = "Folder to write passwd and acl into." };
        var serverUser = new Argument<string>("SERVER_USER")
        {
            Description = "The broker account the server itself uses.",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => "gate-server",
        };
        var export = new Command(ExportMosquitto, "Write Mosquitto's password and ACL files from the device registry.") { folder, serverUser };
        export.SetAction(parse =>
        {
            var path = parse.GetValue(folder)!.FullName;
            var user = parse.GetValue(serverUser)!;
            MosquittoExport.WriteFiles(registry, path, user);
            Console.WriteLine($"Wrote {Path.Combine(path, "passwd")} and {Path.Combine(path, "acl")} for {registry.Count} device(s) and server user {user}.");
            return 0;
        });

        return new RootCommand("Gate gateway server one-shot commands.") { export };
    }
}

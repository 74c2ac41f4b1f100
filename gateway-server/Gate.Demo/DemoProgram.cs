using Gate.Server.Hosting;

namespace Gate.Demo;

/// <summary>
/// <c>dotnet run --project gateway-server/Gate.Demo</c>: the gateway server with a demo school, virtual gate controllers
/// and (unless a police path is configured) the police receiver simulator. Takes the server's settings and arguments.
/// A named class rather than top-level statements, so it does not clash with the server's global Program in tests.
/// </summary>
public sealed class DemoProgram
{
    public static int Main(string[] args)
    {
        // "--demo" still accepted, as a switch rather than a configuration key (the command-line provider would take the
        // next argument as its value).
        var builder = WebApplication.CreateBuilder(args.Where(a => a != "--demo").ToArray());
        // The status page's files are Gate.Server's wwwroot, served from where they are, in any environment (the demo is
        // run from the source tree).
        builder.WebHost.UseStaticWebAssets();
        builder.AddDemoPoliceReceiver();
        builder.AddGateServer();
        builder.AddDemoSchool();

        var app = builder.Build();
        app.UseGateServer();
        app.Run();
        return 0;
    }
}

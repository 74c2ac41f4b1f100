using Gate.Server.Hosting;

// The composition is in Hosting/GateServerExtensions.cs (one list of features, shared with gateway-server/Gate.Demo).
if (args.Contains("--demo"))
{
    // The demo moved out of the production server, which no longer carries the firmware or the police simulator.
    Console.Error.WriteLine("--demo is its own host now: dotnet run --project gateway-server/Gate.Demo");
    return 2;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddGateServer();

var app = builder.Build();

if (ServerCommands.TryRun(app, args, out var exitCode))
{
    return exitCode;
}

app.UseGateServer();
app.Run();
return 0;

public partial class Program;

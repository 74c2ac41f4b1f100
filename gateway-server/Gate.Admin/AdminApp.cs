using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Gate.Admin;

/// <summary>
/// gate-admin: register schools and devices, issue configuration bundles with the nanoff command lines, replace or
/// decommission devices, and run the recorded acceptance test. Every refusal prints the server's sentence and exits 1.
/// </summary>
public static class AdminApp
{
    public const string ServerVariable = "GATE_SERVER";
    public const string ApiKeyVariable = "GATE_API_KEY";

    public static async Task<int> RunAsync(string[] args, AdminContext context, CancellationToken cancellationToken = default)
    {
        var server = new Option<string?>("--server") { Description = $"Gateway server address (default: ${ServerVariable}, else http://localhost:5000)", Recursive = true };
        var apiKey = new Option<string?>("--api-key") { Description = $"API key (default: ${ApiKeyVariable}; prefer the variable, it stays out of shell history)", Recursive = true };

        var root = new RootCommand("gate-admin: provision Gate controllers and prove they reach the police");
        root.Options.Add(server);
        root.Options.Add(apiKey);
        var session = new Session(context, server, apiKey);
        root.Subcommands.Add(SchoolCommands.Build(session));
        root.Subcommands.Add(DeviceCommands.Build(session));
        root.Subcommands.Add(BoardCommands.Build(session));
        root.Subcommands.Add(AcceptanceCommands.Build(session));

        var parsed = root.Parse(args);
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = context.Out, Error = context.Error }, cancellationToken);
    }
}

/// <summary>The connection settings every command shares, resolved from options or the environment.</summary>
internal sealed class Session(AdminContext context, Option<string?> server, Option<string?> apiKey)
{
    public AdminContext Context => context;

    public TextWriter Out => context.Out;

    public TextWriter Error => context.Error;

    /// <summary>The API client, or null after printing why there is none.</summary>
    public GateApiClient? Connect(ParseResult parse)
    {
        var address = parse.GetValue(server) ?? context.Environment(AdminApp.ServerVariable) ?? "http://localhost:5000";
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            context.Error.WriteLine($"error: server address '{address}' is not an http(s) URL");
            return null;
        }

        var key = parse.GetValue(apiKey) ?? context.Environment(AdminApp.ApiKeyVariable);
        if (string.IsNullOrWhiteSpace(key))
        {
            context.Error.WriteLine($"error: no API key: set {AdminApp.ApiKeyVariable} (ask the operations team for a technician key)");
            return null;
        }

        return new GateApiClient(context.CreateHttpClient(uri), key.Trim());
    }

    public int Fail(string message)
    {
        context.Error.WriteLine("error: " + message);
        return 1;
    }

    public static string Text(JsonNode? node, string name) => node?[name]?.ToString() ?? "";

    public static string Time(JsonNode? node, string name) =>
        node?[name]?.GetValue<DateTimeOffset>() is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";
}

namespace Gate.Provisioning.Tests;

/// <summary>
/// The shared server factory as provisioning needs it: real time (the acceptance test waits on real devices), the
/// repository's board files, and the broker host written into bundles.
/// </summary>
internal static class ProvisioningServer
{
    public static GateServerFactory Create(IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Provisioning:BoardsPath"] = TestPaths.Boards,
            ["Provisioning:BrokerHost"] = "127.0.0.1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return new GateServerFactory(settings: all, realTime: true);
    }

    /// <summary>
    /// Runs gate-admin in-process against the server, as an installer would type it: output to the writers, the API key
    /// read from <paramref name="apiKey"/> whenever the tool asks its environment.
    /// </summary>
    public static async Task<int> RunAdminAsync(GateServerFactory server, TextWriter output, TextWriter error, Func<string> apiKey, params string[] args)
    {
        var context = new AdminContext
        {
            Out = output,
            Error = error,
            In = new StringReader(""),
            CreateHttpClient = _ => server.CreateClient(),
            Environment = name => name == AdminApp.ApiKeyVariable ? apiKey() : null,
            PollInterval = TimeSpan.FromMilliseconds(50),
        };
        return await AdminApp.RunAsync(["--server", "http://localhost", .. args], context);
    }
}

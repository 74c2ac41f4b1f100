using Gate.Testing;

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
}

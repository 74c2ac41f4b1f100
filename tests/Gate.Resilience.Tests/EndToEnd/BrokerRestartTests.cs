using Gate.LoadTest.Baselines;
using Gate.Server.Devices;
using Gate.Server.Security;
using Gate.Server.Storage;

namespace Gate.Resilience.Tests.EndToEnd;

/// <summary>Gate.Server runs against Mosquitto as its external broker, and Mosquitto restarts.</summary>
[Trait("Category", "Integration")]
public sealed class BrokerRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ExternalBrokerRestart_DevicesReconnect_AlarmsRaisedMeanwhileArriveFromTheOutboxes()
    {
        if (!File.Exists("/usr/sbin/mosquitto"))
        {
            throw new InvalidOperationException("Mosquitto is required (scripts/install-system-deps.sh installs it)");
        }

        BrokerProcess? mosquitto = null;
        var files = new Dictionary<string, string>();
        const string serverUser = "gate-server-test";
        var serverPassword = "pw-" + Guid.NewGuid().ToString("N");
        await using var rig = await GateRig.StartAsync(devices: 6, configure: async (r, settings) =>
        {
            var registry = new DeviceRegistry(new GateDatabase(Path.Combine(r.DataDirectory, "gate.db")), TimeProvider.System);
            files["passwd"] = MosquittoExport.PasswordFile(registry) + serverUser + ":" + SecretHasher.HashDeviceSecret(serverPassword) + "\n";
            files["acl"] = MosquittoExport.AclFile(registry, serverUser);
            mosquitto = await StartMosquittoAsync(files, 0);
            return settings with { ExternalBroker = ("127.0.0.1", mosquitto.Port, serverUser, serverPassword) };
        });
        var port = mosquitto!.Port;
        try
        {
            await rig.StartControllersAsync(port);
            await rig.Controllers[0].TriggerPanicAsync(TimeSpan.FromSeconds(30));
            await rig.WaitUntilAsync(() => rig.PoliceAcknowledgedIds().Count == 1, TimeSpan.FromSeconds(60), "the first alarm through Mosquitto to the police");

            await mosquitto.DisposeAsync();
            await rig.WaitUntilAsync(() => rig.Controllers.All(c => !c.IsConnected), TimeSpan.FromSeconds(60), "every controller noticing the broker is gone");

            // Raised while the broker is down: only the devices' outboxes hold these.
            var meanwhile = new List<string>();
            foreach (var c in rig.Controllers.Skip(1))
            {
                meanwhile.Add(await c.TriggerPanicAsync(TimeSpan.FromSeconds(30)));
            }

            Assert.All(rig.Controllers.Skip(1), c => Assert.True(c.OutboxDepth >= 1));
            mosquitto = await StartMosquittoAsync(files, port);
            await rig.WaitUntilAsync(() => rig.Controllers.All(c => c.IsConnected), TimeSpan.FromSeconds(150), "every controller reconnected (with backoff)");
            await rig.WaitUntilAsync(() => meanwhile.All(rig.PoliceAcknowledgedIds().Contains), TimeSpan.FromSeconds(120), "the alarms raised meanwhile acknowledged by the police");
            output.WriteLine($"{meanwhile.Count} alarm(s) raised while Mosquitto was down all reached the police");
            // The police may acknowledge before the device has read its own "received" ack; wait for it, then it is empty.
            await rig.WaitUntilAsync(() => rig.Controllers.All(c => c.OutboxDepth == 0), TimeSpan.FromSeconds(60), "every outbox emptied by its received ack");
        }
        finally
        {
            await mosquitto!.DisposeAsync();
        }
    }

    private static Task<BrokerProcess> StartMosquittoAsync(Dictionary<string, string> files, int port) =>
        BrokerProcess.StartMosquittoAsync(files: files, extraConfig: "password_file {dir}/passwd\nacl_file {dir}/acl\n", port: port);
}

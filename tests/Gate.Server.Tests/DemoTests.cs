using Gate.Demo;

namespace Gate.Server.Tests;

public sealed class DemoTests
{
    private static readonly string[] DemoDevices = ["demo-school-gate-1", "demo-school-gate-2", "demo-school-gate-3"];

    [Fact]
    public async Task Demo_Started_VirtualControllersBringDemoDevicesOnlineAndStopCleanly()
    {
        // The demo host (gateway-server/Gate.Demo): the production server composed with the demo school around it.
        var server = new GateServerFactory<DemoProgram>();
        try
        {
            using var changes = server.WatchChanges();
            var tracker = server.Get<LivenessTracker>();

            // Subscribed before the first look, so a change between the look and the wait is still seen.
            while (!DemoDevices.All(d => tracker.Find(d)?.State == LivenessState.Online))
            {
                await changes.WaitAsync(c => c.Type == "liveness", "all demo devices online");
            }

            var credentials = File.ReadAllLines(Path.Combine(server.DataFolder, "demo-devices.txt")).Where(l => !l.StartsWith('#')).ToArray();
            Assert.Equal(DemoDevices, credentials.Select(l => l.Split(' ')[0]));
            foreach (var device in DemoDevices)
            {
                Assert.Equal("demo-school", tracker.Find(device)!.SchoolId);
                Assert.True(Directory.Exists(Path.Combine(server.DataFolder, "demo-controllers", device)), "controller flash for " + device);
            }

            // Stopping: the controllers disconnect before the broker goes, and nothing hangs or throws.
            await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            server.Dispose();
        }
    }
}

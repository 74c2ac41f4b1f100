namespace Gate.Server.Tests;

public sealed class RestartTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "gate-server-tests", "restart-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Restart_SameDatabase_AlarmsSurviveAndLivenessIsRebuiltHonestly()
    {
        Alarm alarm;
        DeviceCredentialPair devices;
        TestDevice alive;
        using (var before = new GateServerFactory(_folder))
        {
            devices = new DeviceCredentialPair(before.AddDevice("school-a", "gate-alive", 30), before.AddDevice("school-a", "gate-dead", 30));

            // Stays connected while the server stops, as a real device would.
            alive = await before.ConnectDeviceAsync(devices.Alive);
            await alive.SendHeartbeatAsync();
            alarm = alive.NewAlarm(7, 1);
            await alive.SendAlarmAndAwaitReceivedAsync(alarm);

            var dead = await before.ConnectDeviceAsync(devices.Dead);
            using var changes = before.WatchChanges();
            dead.Crash();
            await changes.WaitAsync(c => c.DeviceId == "gate-dead" && (c.Data as LivenessSnapshot)?.State == LivenessState.Offline, "gate-dead offline");
        }

        alive.Crash();
        using var after = new GateServerFactory(_folder, start: GateServerFactory.DefaultStart.AddHours(1));
        var tracker = after.Get<LivenessTracker>();

        // Neither "everyone online" nor "everyone offline": what was alive is unknown until heard from, what was dead stays dead.
        var alive2 = tracker.Find("gate-alive")!;
        Assert.Equal(LivenessState.Unknown, alive2.State);
        Assert.Equal(LivenessReason.ServerRestart, alive2.Reason);
        Assert.Equal(GateServerFactory.DefaultStart, alive2.LastSeen);
        Assert.Equal(LivenessState.Offline, tracker.Find("gate-dead")!.State);
        Assert.Equal(LivenessReason.LastWill, tracker.Find("gate-dead")!.Reason);

        var stored = after.Get<AlarmStore>().Find(alarm.Id)!;
        Assert.Equal(AlarmStatus.Open, stored.Status);
        Assert.Equal(AlarmKind.Panic, stored.Kind);

        // The device never got the ack before the restart (say): it re-sends, and the alarm is recognised, not duplicated.
        await using var device = await after.ConnectDeviceAsync(devices.Alive);
        await device.SendAlarmAndAwaitReceivedAsync(alarm);
        Assert.Single(after.Get<AlarmStore>().List(null, false, "gate-alive", null, 10));
        Assert.Equal(LivenessState.Online, tracker.Find("gate-alive")!.State);
    }

    [Fact]
    public async Task Restart_DeviceNotHeardFromWithinOneInterval_BecomesLateThenOffline()
    {
        TestDevice quiet;
        using (var before = new GateServerFactory(_folder))
        {
            var credential = before.AddDevice("school-a", "gate-quiet", 10);
            quiet = await before.ConnectDeviceAsync(credential);
            await quiet.SendHeartbeatAsync(intervalSeconds: 10);
        }

        quiet.Crash();

        using var after = new GateServerFactory(_folder, start: GateServerFactory.DefaultStart.AddMinutes(10));
        var tracker = after.Get<LivenessTracker>();
        using var changes = after.WatchChanges();
        Assert.Equal(LivenessState.Unknown, tracker.Find("gate-quiet")!.State);

        after.Time.Advance(TimeSpan.FromSeconds(11));
        await changes.WaitAsync(c => (c.Data as LivenessSnapshot)?.State == LivenessState.Late, "late after one interval");
        after.Time.Advance(TimeSpan.FromSeconds(20));
        await changes.WaitAsync(c => (c.Data as LivenessSnapshot)?.State == LivenessState.Offline, "offline");
        Assert.Equal(LivenessReason.MissedHeartbeats, tracker.Find("gate-quiet")!.Reason);
    }

    [Fact]
    public async Task Restart_LoginSessionStillValid_KeysAreKeptBesideTheDatabase()
    {
        string cookie;
        using (var before = new GateServerFactory(_folder))
        {
            var client = before.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
            var login = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(client, "/api/auth/login", new { user = "admin", password = GateServerFactory.AdminPassword });
            login.EnsureSuccessStatusCode();
            cookie = login.Headers.GetValues("Set-Cookie").First().Split(';')[0];
        }

        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_folder, "keys"), "key-*.xml"));
        using var after = new GateServerFactory(_folder);
        var again = after.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me");
        request.Headers.Add("Cookie", cookie);
        var me = await again.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, me.StatusCode);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed record DeviceCredentialPair(Gate.Server.Devices.DeviceCredential Alive, Gate.Server.Devices.DeviceCredential Dead);
}

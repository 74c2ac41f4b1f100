using Gate.Server.Commands;
using Gate.Server.Wire;

namespace Gate.Server.Tests;

public sealed class CommandTests
{
    [Fact]
    public async Task Command_SentThroughApi_ReachesDeviceAndItsResultIsRecordedWithWhoSentIt()
    {
        using var server = new GateServerFactory();
        await using var device = await server.ConnectNewDeviceAsync("school-a", "gate-1");
        var admin = await server.AdminClientAsync();

        var response = await admin.PostAsJsonAsync("/api/devices/gate-1/commands", new { name = CommandName.RaiseBollard, ttlSeconds = 30 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var sent = (await response.Content.ReadFromJsonAsync<CommandView>())!;
        var received = await device.WaitForCommandAsync();
        Assert.Equal(sent.Id, received.Id);
        Assert.Equal(CommandName.RaiseBollard, received.Name);
        Assert.Equal(30, received.TtlSeconds);

        await device.PublishAsync(Topics.Result, WireEncoder.EncodeResult(new CommandResult
        {
            Id = sent.Id, Device = "gate-1", Result = CommandOutcome.Ok, Timestamp = DateTime.MinValue,
        }));

        var final = (await admin.GetFromJsonAsync<CommandView>($"/api/commands/{sent.Id}"))!;
        Assert.Equal(CommandOutcome.Ok, final.Status);
        Assert.Equal("admin", final.IssuedBy);
        Assert.Equal(server.Time.GetUtcNow(), final.CompletedAt);
    }

    [Fact]
    public async Task Command_WithoutAnswer_TimesOutAfterItsTimeToLive()
    {
        using var server = new GateServerFactory(settings: new Dictionary<string, string?> { ["Commands:TimeoutGraceSeconds"] = "5", ["Commands:CheckPeriodSeconds"] = "1" });
        server.AddDevice("school-a", "gate-1");
        using var changes = server.WatchChanges();
        var (command, error) = await server.Get<CommandService>().SendAsync("gate-1", CommandName.Reboot, 10, "tester", CancellationToken.None);
        Assert.Null(error);

        server.Time.Advance(TimeSpan.FromSeconds(16));
        await changes.WaitAsync(c => c.Type == "command_timeout", "timeout");

        Assert.Equal(CommandStatus.Timeout, server.Get<CommandStore>().Find(command!.Id)!.Status);
    }

    [Fact]
    public async Task Command_ResultFromAnotherDevice_DoesNotCloseIt()
    {
        using var server = new GateServerFactory();
        server.AddDevice("school-a", "gate-1");
        await using var intruder = await server.ConnectNewDeviceAsync("school-a", "gate-2");
        var (command, _) = await server.Get<CommandService>().SendAsync("gate-1", CommandName.DrillOn, null, "tester", CancellationToken.None);

        await intruder.PublishAsync(Topics.Result, WireEncoder.EncodeResult(new CommandResult
        {
            Id = command!.Id, Device = "gate-2", Result = CommandOutcome.Ok, Timestamp = DateTime.MinValue,
        }));

        Assert.Equal(CommandStatus.Sent, server.Get<CommandStore>().Find(command.Id)!.Status);
    }

    [Fact]
    public async Task Command_UnknownNameOrViewerRole_IsRefused()
    {
        using var server = new GateServerFactory();
        server.AddDevice("school-a", "gate-1");
        var admin = await server.AdminClientAsync();
        (await admin.PostAsJsonAsync("/api/users", new { name = "watcher", password = "watcher-password", roles = new[] { "viewer" } })).EnsureSuccessStatusCode();
        var viewer = await server.ClientAsAsync("watcher", "watcher-password");

        var unknown = await admin.PostAsJsonAsync("/api/devices/gate-1/commands", new { name = "self_destruct" });
        var forbidden = await viewer.PostAsJsonAsync("/api/devices/gate-1/commands", new { name = CommandName.Reboot });
        var readable = await viewer.GetAsync("/api/commands");

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.OK, readable.StatusCode);
        Assert.Empty(server.Get<CommandStore>().List("gate-1", 10));
    }
}

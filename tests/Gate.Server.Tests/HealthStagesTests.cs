using System.Net.Http.Json;
using System.Text.Json;
using Gate.Contracts;
using Gate.Testing;

namespace Gate.Server.Tests;

/// <summary>/health shows where alarms spend their time, one histogram per stage (issue 15).</summary>
public sealed class HealthStagesTests
{
    [Fact]
    public async Task Health_AfterAnAlarmIsStored_PressToStoredCountsItInItsBucket()
    {
        using var server = new GateServerFactory();
        var credential = server.AddDevice("school-a", "gate-1");
        await using var device = await server.ConnectDeviceAsync(credential);
        var client = server.CreateClient();

        var before = Stage(await client.GetFromJsonAsync<JsonElement>("/health"), "press_to_stored");
        Assert.Equal(0, before.GetProperty("count").GetInt64());

        // Dated by the device 40 ms before the server's (fake, still) clock: the 50 ms bucket.
        var alarm = device.NewAlarm(7, 1, timestamp: server.Time.GetUtcNow().UtcDateTime.AddMilliseconds(-40));
        await device.SendAlarmAsync(alarm);
        await device.WaitForAckAsync(alarm.Id, AckStage.Received);

        var after = Stage(await client.GetFromJsonAsync<JsonElement>("/health"), "press_to_stored");
        Assert.Equal(1, after.GetProperty("count").GetInt64());
        Assert.Equal(1, after.GetProperty("bucketsMs").GetProperty("50").GetInt64());
        Assert.Equal(50, after.GetProperty("p99Ms").GetDouble());
    }

    private static JsonElement Stage(JsonElement health, string name) =>
        health.GetProperty("alarmStages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == name);
}

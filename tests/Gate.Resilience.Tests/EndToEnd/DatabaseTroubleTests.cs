using Microsoft.Data.Sqlite;

namespace Gate.Resilience.Tests.EndToEnd;

/// <summary>The database cannot take writes (another process holds the write lock).</summary>
[Trait("Category", "Integration")]
public sealed class DatabaseTroubleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task DatabaseLocked_AlarmStaysInTheDeviceOutboxWithAClearError_ThenArrivesOnceWritable()
    {
        await using var rig = await GateRig.StartWithControllersAsync(devices: 2);

        // Another process takes SQLite's write lock and keeps it (a stuck backup tool, an admin's open transaction).
        var db = Path.Combine(rig.DataDirectory, "gate.db");
        var locker = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Pooling = false }.ToString());
        locker.Open();
        using (var begin = locker.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();
        }

        string alarmId;
        try
        {
            alarmId = await rig.Controllers[0].TriggerPanicAsync(TimeSpan.FromSeconds(30));

            // A clear error, naming the alarm, and no acknowledgement: the device keeps the alarm.
            await rig.WaitUntilAsync(() => rig.Server.Tail(200).Contains(alarmId, StringComparison.Ordinal), TimeSpan.FromSeconds(60), "the server logging the failed store of " + alarmId);
            output.WriteLine(string.Join('\n', rig.Server.Tail(200).Split('\n').Where(l => l.Contains(alarmId, StringComparison.Ordinal)).Take(3)));
            Assert.DoesNotContain(alarmId, rig.AckedWith(AckStage.Received));
            Assert.Equal(1, rig.Controllers[0].OutboxDepth);
        }
        finally
        {
            using var rollback = locker.CreateCommand();
            rollback.CommandText = "ROLLBACK;";
            rollback.ExecuteNonQuery();
            locker.Dispose();
        }

        await rig.WaitUntilAsync(() => rig.AckedWith(AckStage.Received).Contains(alarmId), TimeSpan.FromSeconds(120), "the device's re-send stored once the database is writable");
        await rig.WaitUntilAsync(() => rig.PoliceAcknowledgedIds().Contains(alarmId), TimeSpan.FromSeconds(60), "the alarm forwarded to the police");
        await rig.WaitUntilAsync(() => rig.Controllers[0].OutboxDepth == 0, TimeSpan.FromSeconds(60), "the outbox emptied by the received ack");
    }
}

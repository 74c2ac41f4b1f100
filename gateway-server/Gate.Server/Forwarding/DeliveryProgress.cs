using Microsoft.Data.Sqlite;

namespace Gate.Server.Forwarding;

/// <summary>What the alarm's owner does once a delivery step it recorded is committed: tell the device, the status page.</summary>
public delegate Task DeliveryAnnouncement(CancellationToken cancellationToken);

/// <summary>
/// The seam through which a delivery round reaches the alarm it delivers: owned by Forwarding (which knows nothing of
/// the alarms table), implemented once by the Alarms feature. Forwarding depends only on this interface and Alarms on
/// Forwarding, so the two never call each other. Each method runs inside the transaction that records the delivery
/// attempt or the round's outcome, so the attempt, the <c>forwarded</c> step and the <c>police_ack</c> step are one
/// commit; the announcement it returns (null: nothing to say) runs after that commit.
/// </summary>
public interface IDeliveryProgress
{
    /// <summary>A receiver answered (acknowledged or refused): the police platform has the alarm.</summary>
    DeliveryAnnouncement? Forwarded(SqliteConnection connection, SqliteTransaction transaction, string alarmId, string receiver, string path, DateTimeOffset at);

    /// <summary>A receiver acknowledged the alarm; <paramref name="latency"/> is from enqueue to the acknowledgement.</summary>
    DeliveryAnnouncement? PoliceAcknowledged(SqliteConnection connection, SqliteTransaction transaction, string alarmId, string receiver, string path, DateTimeOffset at, TimeSpan latency);

    /// <summary>Not delivered so far (or refused by every receiver); forwarding keeps trying unless it was refused.</summary>
    DeliveryAnnouncement? DeliveryTrouble(SqliteConnection connection, SqliteTransaction transaction, string alarmId, string reason, DateTimeOffset at);
}

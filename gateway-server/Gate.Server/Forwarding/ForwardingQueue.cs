using Microsoft.Data.Sqlite;

namespace Gate.Server.Forwarding;

/// <summary>The forwarding outbox in SQLite. Alarms are enqueued in the same transaction that stores them.</summary>
public static class ForwardingQueue
{
    /// <summary>Adds the alarm to the forwarding outbox inside the caller's transaction (the alarm insert's).</summary>
    public static void Enqueue(SqliteConnection connection, SqliteTransaction transaction, ForwardRequest request)
    {
        // Filled in by the forwarding feature; the signature is the contract the Alarms feature calls.
        _ = connection;
        _ = transaction;
        _ = request;
    }
}

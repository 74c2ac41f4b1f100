using Gate.Server.Storage;

namespace Gate.Server.Forwarding;

/// <summary>
/// DC-09 sequence numbers, one counter per account (or per path), shared by every connection to every receiver.
/// Receivers drop repeats by account + sequence, so two different messages must never share a number inside the
/// window a receiver remembers; per-connection counters did exactly that (four connections each sent 0001).
/// Numbers are handed out from blocks reserved in the database (dc09_sequences), so a restart, even after a crash,
/// continues above every number that may already have gone out and never reuses one; at most a block is skipped.
/// A resend of an alarm reuses the number stored with it (forward_queue.dc09_sequence).
/// </summary>
public sealed class Dc09SequenceCounter(GateDatabase database)
{
    /// <summary>Numbers reserved per database write: one durable write per this many messages of a counter.</summary>
    public const int BlockSize = 100;

    private readonly Dictionary<string, (long Next, long ReservedTo)> _counters = new(StringComparer.Ordinal);
    private readonly object _lock = new();

    /// <summary>The counter's key for a message of <paramref name="account"/> on <paramref name="path"/>.</summary>
    public static string KeyFor(Gate.SiaDc09.SiaSequencePolicy policy, string account, string path) =>
        policy == Gate.SiaDc09.SiaSequencePolicy.Path ? "path:" + path : "account:" + account.ToUpperInvariant();

    /// <summary>The next number, 0001-9999 then 0001 again.</summary>
    public int Next(string key)
    {
        lock (_lock)
        {
            if (!_counters.TryGetValue(key, out var counter) || counter.Next > counter.ReservedTo)
            {
                counter = Reserve(key);
            }

            _counters[key] = (counter.Next + 1, counter.ReservedTo);
            return (int)(((counter.Next - 1) % 9999) + 1);
        }
    }

    // Issued numbers are a running count (1, 2, 3 ...) of which the wire number is the count modulo 9999.
    private (long Next, long ReservedTo) Reserve(string key)
    {
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = """
            INSERT INTO dc09_sequences (counter, reserved_to) VALUES ($key, $block)
            ON CONFLICT(counter) DO UPDATE SET reserved_to = reserved_to + $block
            RETURNING reserved_to;
            """;
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$block", BlockSize);
        var reservedTo = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        tx.Commit();
        return (reservedTo - BlockSize + 1, reservedTo);
    }
}

using Gate.Server.Storage;

namespace Gate.Server.Alarms;

/// <summary>
/// What the rest of the server may read about alarms without knowing the alarms table: a device's recent alarms, its
/// last police acknowledgement, and the per-device facts the compliance view needs. The Alarms module owns the SQL.
/// </summary>
public sealed class AlarmHistory(GateDatabase database)
{
    /// <summary>The device's alarms, newest first.</summary>
    public IReadOnlyList<DeviceAlarmLine> ForDevice(string deviceId, int limit)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT received_at, kind, status, restore, police_ack_at, operator_ack_by FROM alarms
            WHERE device_id = $d ORDER BY received_at DESC LIMIT $l;
            """;
        command.Parameters.AddWithValue("$d", deviceId);
        command.Parameters.AddWithValue("$l", limit);
        using var reader = command.ExecuteReader();
        var lines = new List<DeviceAlarmLine>();
        while (reader.Read())
        {
            lines.Add(new DeviceAlarmLine(StoredTime.Parse(reader.GetString(0)), reader.GetString(1), reader.GetString(2), reader.GetInt64(3) == 1,
                !reader.IsDBNull(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return lines;
    }

    /// <summary>When the police last acknowledged any alarm of the device (its last proof of a working link).</summary>
    public DateTimeOffset? LastPoliceAck(string deviceId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(police_ack_at) FROM alarms WHERE device_id = $d AND police_ack_at IS NOT NULL;";
        command.Parameters.AddWithValue("$d", deviceId);
        return StoredTime.ParseOrNull(command.ExecuteScalar());
    }

    /// <summary>Per device, the last police acknowledgement of an alarm of one of <paramref name="kinds"/>.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> LastPoliceAckByDevice(IReadOnlyList<string> kinds)
    {
        var lastAck = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        var names = string.Join(", ", kinds.Select((_, i) => $"$k{i}"));
        command.CommandText = $"SELECT device_id, MAX(police_ack_at) FROM alarms WHERE police_ack_at IS NOT NULL AND kind IN ({names}) GROUP BY device_id;";
        for (var i = 0; i < kinds.Count; i++)
        {
            command.Parameters.AddWithValue($"$k{i}", kinds[i]);
        }

        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            lastAck[reader.GetString(0)] = StoredTime.Parse(reader.GetString(1));
        }

        return lastAck;
    }

    /// <summary>
    /// Devices with a fault of <paramref name="kind"/> still open: not restored (no later restore alarm of that kind)
    /// and not resolved by a person.
    /// </summary>
    public IReadOnlySet<string> DevicesWithOpenFault(string kind)
    {
        var devices = new HashSet<string>(StringComparer.Ordinal);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT DISTINCT device_id FROM alarms a
            WHERE kind = $kind AND restore = 0 AND status <> 'resolved'
              AND NOT EXISTS (SELECT 1 FROM alarms b WHERE b.device_id = a.device_id AND b.kind = $kind AND b.restore = 1 AND b.received_at > a.received_at);
            """;
        command.Parameters.AddWithValue("$kind", kind);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            devices.Add(reader.GetString(0));
        }

        return devices;
    }
}

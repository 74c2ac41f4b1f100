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

    /// <summary>
    /// Every alarm a person has not resolved, and those resolved since <paramref name="resolvedSince"/>, oldest first,
    /// each with its steps summarised (forwarding tries and trouble recorded on it, the last person's note, the path
    /// of its last forward).
    /// </summary>
    public IReadOnlyList<UnresolvedAlarm> UnresolvedOrResolvedSince(DateTimeOffset resolvedSince)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT a.id, a.device_id, a.school_id, a.kind, a.zone, a.is_test, a.restore, a.count, a.detail, a.raised_at, a.received_at,
                   a.stage, a.status, a.forwarded_at, a.police_ack_at, a.operator_ack_at, a.operator_ack_by,
                   (SELECT COUNT(*) FROM alarm_steps st WHERE st.alarm_id = a.id AND st.step IN ($forwarded, $trouble)),
                   (SELECT COUNT(*) FROM alarm_steps st WHERE st.alarm_id = a.id AND st.step = $trouble),
                   (SELECT st.detail FROM alarm_steps st WHERE st.alarm_id = a.id AND st.step IN ($operatorAck, $resolved) AND st.detail IS NOT NULL ORDER BY st.id DESC LIMIT 1),
                   (SELECT st.detail FROM alarm_steps st WHERE st.alarm_id = a.id AND st.step = $forwarded ORDER BY st.id DESC LIMIT 1)
            FROM alarms a
            WHERE a.status <> $resolvedStatus OR a.resolved_at >= $since
            ORDER BY a.received_at;
            """;
        command.Parameters.AddWithValue("$since", StoredTime.Format(resolvedSince));
        command.Parameters.AddWithValue("$forwarded", AlarmStep.Forwarded);
        command.Parameters.AddWithValue("$trouble", AlarmStep.DeliveryTrouble);
        command.Parameters.AddWithValue("$operatorAck", AlarmStep.OperatorAck);
        command.Parameters.AddWithValue("$resolved", AlarmStep.Resolved);
        command.Parameters.AddWithValue("$resolvedStatus", AlarmStatus.Resolved);
        using var r = command.ExecuteReader();
        var alarms = new List<UnresolvedAlarm>();
        while (r.Read())
        {
            alarms.Add(new UnresolvedAlarm(
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetInt64(5) == 1, r.GetInt64(6) == 1, r.GetInt32(7),
                r.IsDBNull(8) ? null : r.GetString(8), StoredTime.Parse(r.GetString(9)), StoredTime.Parse(r.GetString(10)), r.GetString(11), r.GetString(12),
                StoredTime.ParseOrNull(r.GetValue(13)), StoredTime.ParseOrNull(r.GetValue(14)), StoredTime.ParseOrNull(r.GetValue(15)),
                r.IsDBNull(16) ? null : r.GetString(16), (int)r.GetInt64(17), (int)r.GetInt64(18), r.IsDBNull(19) ? null : r.GetString(19),
                r.IsDBNull(20) ? null : r.GetString(20)));
        }

        return alarms;
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
    /// Schools with an alarm of <paramref name="kind"/> received in [<paramref name="from"/>, <paramref name="to"/>) that
    /// reached the police acknowledgement (the monthly return's drill column: a drill that never got there is no proof).
    /// </summary>
    public IReadOnlySet<string> SchoolsWithPoliceAcknowledged(string kind, DateTimeOffset from, DateTimeOffset to)
    {
        var schools = new HashSet<string>(StringComparer.Ordinal);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT DISTINCT school_id FROM alarms
            WHERE kind = $kind AND restore = 0 AND police_ack_at IS NOT NULL AND received_at >= $from AND received_at < $to;
            """;
        command.Parameters.AddWithValue("$kind", kind);
        command.Parameters.AddWithValue("$from", StoredTime.Format(from));
        command.Parameters.AddWithValue("$to", StoredTime.Format(to));
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            schools.Add(reader.GetString(0));
        }

        return schools;
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

using Gate.Contracts;
using Gate.Server.Alarms;
using Gate.Server.Storage;
using Microsoft.Extensions.Options;

namespace Gate.Server.StatusPage;

/// <summary>
/// The duty console's read model: every alarm a person has not resolved yet, with its school and its delivery trail to
/// the police. A real alarm the police have not acknowledged within <see cref="StatusPageOptions.DeliveryTroubleSeconds"/>,
/// or whose forwarding has failed, is marked as trouble so the console can shout about it.
/// </summary>
public sealed class DutyAlarmQuery(GateDatabase database, TimeProvider time, IOptions<StatusPageOptions> options)
{
    public IReadOnlyList<DutyAlarm> Open()
    {
        var now = time.GetUtcNow();
        var troubleAfter = TimeSpan.FromSeconds(options.Value.DeliveryTroubleSeconds);
        var resolvedSince = StoredTime.Format(now - TimeSpan.FromMinutes(options.Value.ResolvedVisibleMinutes));
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        // Steps are summarised in SQL: the number of forwarding attempts, the last failure, the path of the last forward.
        command.CommandText = """
            SELECT a.id, a.device_id, a.school_id, COALESCE(s.name, a.school_id), COALESCE(s.district, ''), a.kind, a.zone, a.is_test,
                   a.restore, a.count, a.detail, a.raised_at, a.received_at, a.stage, a.status, a.forwarded_at, a.police_ack_at,
                   a.operator_ack_at, a.operator_ack_by,
                   (SELECT COUNT(*) FROM alarm_steps st WHERE st.alarm_id = a.id AND st.step IN ($forwarded, $trouble)),
                   (SELECT st.detail FROM alarm_steps st WHERE st.alarm_id = a.id AND st.step = $trouble ORDER BY st.id DESC LIMIT 1),
                   (SELECT COUNT(*) FROM alarm_steps st WHERE st.alarm_id = a.id AND st.step = $trouble),
                   (SELECT st.detail FROM alarm_steps st WHERE st.alarm_id = a.id AND st.step IN ($operatorAck, $resolved) AND st.detail IS NOT NULL ORDER BY st.id DESC LIMIT 1),
                   (SELECT st.detail FROM alarm_steps st WHERE st.alarm_id = a.id AND st.step = $forwarded ORDER BY st.id DESC LIMIT 1),
                   (SELECT COUNT(*) FROM delivery_attempts d WHERE d.alarm_id = a.id),
                   (SELECT d.outcome || char(31) || COALESCE(d.response, '') FROM delivery_attempts d
                     WHERE d.alarm_id = a.id AND d.outcome <> 'acknowledged' ORDER BY d.id DESC LIMIT 1)
            FROM alarms a LEFT JOIN schools s ON s.id = a.school_id
            WHERE a.status <> 'resolved' OR a.resolved_at >= $since
            ORDER BY a.received_at;
            """;
        command.Parameters.AddWithValue("$since", resolvedSince);
        // Step words from the Alarms feature's vocabulary, not literals that can drift from it.
        command.Parameters.AddWithValue("$forwarded", AlarmStep.Forwarded);
        command.Parameters.AddWithValue("$trouble", AlarmStep.DeliveryTrouble);
        command.Parameters.AddWithValue("$operatorAck", AlarmStep.OperatorAck);
        command.Parameters.AddWithValue("$resolved", AlarmStep.Resolved);
        using var r = command.ExecuteReader();
        var list = new List<DutyAlarm>();
        while (r.Read())
        {
            var isTest = r.GetInt64(7) == 1;
            var kind = r.GetString(5);
            var received = StoredTime.Parse(r.GetString(12));
            var forwardedAt = StoredTime.ParseOrNull(r.GetValue(15));
            var policeAckAt = StoredTime.ParseOrNull(r.GetValue(16));
            var failures = r.GetInt64(21);
            var stage = r.GetString(13);
            // The real count and cause from the delivery trail, not from the alarm's summary steps: the duty officer
            // saw "(1 attempts)" and "cannot be reached" while six tries had failed on the school's account.
            var tries = (int)r.GetInt64(24);
            var lastFailure = r.IsDBNull(25) ? null : r.GetString(25).Split((char)31, 2);
            string? troubleReason = null;
            // Tests are delivered too, but their trouble is a technician's job, not an alarm for the duty officer.
            if (!isTest && policeAckAt is null)
            {
                if (failures > 0 || AlarmStage.IsDeliveryFailing(stage))
                {
                    troubleReason = ReasonOf(lastFailure) ?? (forwardedAt is null ? "unreachable" : "no_ack");
                }
                else if (now - received >= troubleAfter)
                {
                    troubleReason = forwardedAt is null ? "unreachable" : "no_ack";
                }
            }

            list.Add(new DutyAlarm(
                r.GetString(0), r.GetString(1), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), kind, r.GetInt32(6),
                isTest, AlarmKind.IsLifeSafety(kind), r.GetInt64(8) == 1, r.GetInt32(9), r.IsDBNull(10) ? null : r.GetString(10),
                StoredTime.Parse(r.GetString(11)), received, StatusOf(r.GetString(14), !r.IsDBNull(17)), r.IsDBNull(18) ? null : r.GetString(18),
                StoredTime.ParseOrNull(r.GetValue(17)), r.IsDBNull(22) ? null : r.GetString(22),
                new DeliveryTrail(stage, forwardedAt, policeAckAt,
                    policeAckAt is { } ack ? (long)(ack - received).TotalMilliseconds : null,
                    r.IsDBNull(23) ? null : r.GetString(23), Math.Max(tries, (int)r.GetInt64(19)), troubleReason is not null, troubleReason,
                    lastFailure is { Length: 2 } f ? f[1] : null)));
        }

        return list;
    }

    /// <summary>The reason code (rendered in the viewer's language) for the last failed try: outcome and answer text.</summary>
    internal static string? ReasonOf(string[]? lastFailure)
    {
        if (lastFailure is not { Length: 2 } f)
        {
            return null;
        }

        var (outcome, response) = (f[0], f[1]);
        return outcome switch
        {
            "notsendable" when response.Contains("police account", StringComparison.Ordinal) => "bad_account",
            "notsendable" => "not_sendable",
            "rejected" => "rejected",
            _ when response.StartsWith("TIMEOUT", StringComparison.Ordinal) || response.Contains("no answer within", StringComparison.Ordinal) => "timeout",
            _ when response.Contains("\"NAK\"", StringComparison.Ordinal) || response.StartsWith("NAK", StringComparison.Ordinal) => "nak",
            _ when response.StartsWith("CONNECTIONFAILED", StringComparison.Ordinal) || response.Contains("connect ", StringComparison.Ordinal) => "unreachable",
            _ when response.StartsWith("GARBAGE", StringComparison.Ordinal) || response.Contains("answer refused", StringComparison.Ordinal) => "garbage",
            _ => "no_ack",
        };
    }

    /// <summary>The alarm store knows open and resolved; the console also shows whether a person has acknowledged it.</summary>
    internal static string StatusOf(string stored, bool operatorAcknowledged) =>
        stored == "resolved" ? "resolved" : operatorAcknowledged ? "acknowledged" : "open";
}

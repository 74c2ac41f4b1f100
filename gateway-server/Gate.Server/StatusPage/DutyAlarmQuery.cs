using Gate.Contracts;
using Gate.Server.Alarms;
using Gate.Server.Devices;
using Gate.Server.Forwarding;
using Microsoft.Extensions.Options;

namespace Gate.Server.StatusPage;

/// <summary>
/// The duty console's read model: every alarm a person has not resolved yet, with its school and its delivery trail to
/// the police. A real alarm the police have not acknowledged within <see cref="StatusPageOptions.DeliveryTroubleSeconds"/>,
/// or whose forwarding has failed, is marked as trouble so the console can shout about it. The alarms come from the
/// Alarms module, their tries from Forwarding, the schools from the registry.
/// </summary>
public sealed class DutyAlarmQuery(AlarmHistory alarms, ForwardingStore forwarding, DeviceRegistry registry, TimeProvider time, IOptions<StatusPageOptions> options)
{
    public IReadOnlyList<DutyAlarm> Open()
    {
        var now = time.GetUtcNow();
        var troubleAfter = TimeSpan.FromSeconds(options.Value.DeliveryTroubleSeconds);
        var open = alarms.UnresolvedOrResolvedSince(now - TimeSpan.FromMinutes(options.Value.ResolvedVisibleMinutes));
        var attempts = forwarding.AttemptSummaries(open.Select(a => a.Id).ToList());
        var schools = open.Count == 0 ? new Dictionary<string, School>() : registry.ListSchools().ToDictionary(s => s.Id, StringComparer.Ordinal);
        var list = new List<DutyAlarm>(open.Count);
        foreach (var a in open)
        {
            // The real count and cause from the delivery trail, not from the alarm's summary steps: the duty officer
            // saw "(1 attempts)" and "cannot be reached" while six tries had failed on the school's account.
            var trail = attempts.GetValueOrDefault(a.Id);
            var lastFailure = trail?.LastFailedOutcome is { } outcome ? new[] { outcome, trail.LastFailedResponse ?? "" } : null;
            string? troubleReason = null;
            // Tests are delivered too, but their trouble is a technician's job, not an alarm for the duty officer.
            if (!a.IsTest && a.PoliceAckAt is null)
            {
                if (a.TroubleSteps > 0 || AlarmStage.IsDeliveryFailing(a.Stage))
                {
                    troubleReason = ReasonOf(lastFailure) ?? (a.ForwardedAt is null ? "unreachable" : "no_ack");
                }
                else if (now - a.ReceivedAt >= troubleAfter)
                {
                    troubleReason = a.ForwardedAt is null ? "unreachable" : "no_ack";
                }
            }

            var school = schools.GetValueOrDefault(a.SchoolId);
            list.Add(new DutyAlarm(
                a.Id, a.DeviceId, a.DeviceId, a.SchoolId, school?.Name ?? a.SchoolId, school?.District ?? "", a.Kind, a.Zone,
                a.IsTest, AlarmKind.IsLifeSafety(a.Kind), a.Restore, a.Count, a.Detail,
                a.RaisedAt, a.ReceivedAt, StatusOf(a.Status, a.OperatorAckAt is not null), a.OperatorAckBy, a.OperatorAckAt, a.Note,
                new DeliveryTrail(a.Stage, a.ForwardedAt, a.PoliceAckAt,
                    a.PoliceAckAt is { } ack ? (long)(ack - a.ReceivedAt).TotalMilliseconds : null,
                    a.ForwardedPath, Math.Max(trail?.Attempts ?? 0, a.ForwardSteps), troubleReason is not null, troubleReason,
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

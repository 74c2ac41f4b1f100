using System.Diagnostics;
using System.Diagnostics.Metrics;
using Gate.Server.Forwarding;

namespace Gate.Server.Metrics;

/// <summary>
/// The instruments the alarm path reports to as things happen, on the <c>Gate</c> meter: alarm stage moves, delivery
/// attempts per police path, and the press-to-police-acknowledgement latency. What is read at scrape time (liveness,
/// connections, message counts) is in <see cref="GateGauges"/>.
/// </summary>
public sealed class GateMetrics
{
    public const string MeterName = "Gate";

    private readonly Counter<long> _alarmStages;
    private readonly Counter<long> _deliveryAttempts;
    private readonly Counter<long> _deliveryFailures;
    private readonly Histogram<double> _policeAckLatency;

    public GateMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _alarmStages = meter.CreateCounter<long>("gate.alarm.stages", "{alarm}",
            "Alarms entering a stage: received, forwarded, police_ack, failed, operator_ack, resolved");
        _deliveryAttempts = meter.CreateCounter<long>("gate.delivery.attempts", "{attempt}",
            "Attempts to deliver an alarm to the police, by path (primary, backup, webhook) and outcome");
        _deliveryFailures = meter.CreateCounter<long>("gate.delivery.failures", "{attempt}",
            "Delivery attempts that were not acknowledged, by path and outcome (failed, rejected, notsendable)");
        _policeAckLatency = meter.CreateHistogram<double>("gate.alarm.police_ack.latency", "s",
            "From the press (the alarm's trusted raise time) to the police receiver's acknowledgement",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300] });
    }

    public void AlarmStage(string stage, bool isTest) =>
        _alarmStages.Add(1, new TagList { { "stage", stage }, { "test", isTest } });

    public void DeliveryAttempt(string path, ForwardOutcome outcome)
    {
        var tags = new TagList { { "path", path }, { "outcome", outcome.ToString().ToLowerInvariant() } };
        _deliveryAttempts.Add(1, tags);
        if (outcome != ForwardOutcome.Acknowledged)
        {
            _deliveryFailures.Add(1, tags);
        }
    }

    public void PoliceAcknowledged(TimeSpan sincePress, bool isTest)
    {
        // A device clock far behind makes this negative; such a figure says nothing about delivery.
        if (sincePress >= TimeSpan.Zero)
        {
            _policeAckLatency.Record(sincePress.TotalSeconds, new KeyValuePair<string, object?>("test", isTest));
        }
    }
}

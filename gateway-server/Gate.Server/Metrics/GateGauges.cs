using System.Diagnostics.Metrics;
using Gate.Server.Liveness;
using Gate.Server.Mqtt;
using Microsoft.Extensions.Options;

namespace Gate.Server.Metrics;

/// <summary>
/// What the <c>Gate</c> meter reads at scrape time rather than counting twice: device connections, devices per liveness
/// state, and the ingest counters (heartbeats and every other accepted message by channel, refusals by reason).
/// </summary>
public sealed class GateGauges
{
    private static readonly string[] States = [LivenessState.NeverSeen, LivenessState.Unknown, LivenessState.Online, LivenessState.Late, LivenessState.Offline];

    public GateGauges(IMeterFactory meters, LivenessTracker liveness, IngestCounters ingest, EmbeddedBroker broker, IOptions<MqttOptions> mqtt)
    {
        var meter = meters.Create(GateMetrics.MeterName);
        var embedded = mqtt.Value.IsEmbedded;

        // With an external broker the server sees no sockets: devices heard from within their interval stand in.
        meter.CreateObservableGauge("gate.devices.connected",
            () => embedded ? broker.Connected : liveness.All().Count(s => s.State == LivenessState.Online),
            "{device}", "Device connections to the embedded broker (external broker: devices online)");
        meter.CreateObservableGauge("gate.devices.liveness", () =>
            {
                var counts = States.ToDictionary(s => s, _ => 0, StringComparer.Ordinal);
                foreach (var snapshot in liveness.All())
                {
                    counts[snapshot.State] = counts.GetValueOrDefault(snapshot.State) + 1;
                }

                return counts.Select(c => new Measurement<int>(c.Value, new KeyValuePair<string, object?>("state", c.Key)));
            },
            "{device}", "Devices per liveness state: never_seen, unknown, online, late, offline");
        meter.CreateObservableCounter("gate.heartbeats",
            () => ingest.Snapshot().Accepted.TryGetValue(Gate.Contracts.Topics.Heartbeat, out var n) ? n : 0,
            "{heartbeat}", "Heartbeats accepted since start (rate() gives heartbeats per second)");
        meter.CreateObservableCounter("gate.messages.accepted",
            () => ingest.Snapshot().Accepted.Select(a => new Measurement<long>(a.Value, new KeyValuePair<string, object?>("channel", a.Key))),
            "{message}", "Device messages accepted since start, by channel");
        meter.CreateObservableCounter("gate.messages.refused",
            () => ingest.Snapshot().Rejected.Select(r => new Measurement<long>(r.Value, new KeyValuePair<string, object?>("reason", r.Key))),
            "{message}", "Device messages and connections refused since start, by reason");
    }
}

using System.Collections;
using Gate.Contracts;

namespace Gate.Firmware.Feedback
{
    /// <summary>
    /// Follows each alarm the guard raised (every press of panic or duress is one) from the press to the police,
    /// by the server's acks and a wait: "not at the police" when the server reports failed, or when no forwarded or
    /// police_ack arrives within the wait after received (after the press while the server has not even confirmed
    /// it). Once shown, "not at the police" holds until an acknowledgement: a receiver that answers only to refuse
    /// again must not turn the guard's instruction (call 110) back into "all is well".
    /// </summary>
    public sealed class PoliceDeliveryWatch
    {
        /// <summary>Alarms followed at once; beyond it the oldest acknowledged (else the oldest) is let go.</summary>
        public const int MaxWatched = 16;

        private readonly ArrayList _alarms = new ArrayList();
        private readonly long _waitMs;

        /// <param name="waitMs">How long after received (or the press) a forwarded or police_ack may take.</param>
        public PoliceDeliveryWatch(long waitMs)
        {
            _waitMs = waitMs < 0 ? 0 : waitMs;
        }

        public long WaitMs { get { return _waitMs; } }

        public int Count { get { return _alarms.Count; } }

        /// <summary>A press raised this alarm: not yet received.</summary>
        public void Watch(string alarmId, long nowMs)
        {
            Add(alarmId, string.Empty, nowMs);
        }

        /// <summary>After a reboot: the latched alarm left the outbox before it, so the server had it.</summary>
        public void WatchStored(string alarmId, long nowMs)
        {
            Add(alarmId, AckStage.Received, nowMs);
        }

        /// <summary>An ack from the server. Returns true when it was news for a watched alarm.</summary>
        public bool OnAck(string alarmId, string stage, long nowMs)
        {
            WatchedAlarm a = Find(alarmId);
            if (a == null || !AlarmStage.Advances(a.Stage, stage))
            {
                return false;
            }

            if (stage == AckStage.Received && !a.NotAtPolice)
            {
                // The wait for the police starts when the server has it.
                a.SinceMs = nowMs;
            }

            if (AlarmStage.IsDeliveryFailing(stage))
            {
                a.NotAtPolice = true;
            }

            a.Stage = stage;
            return true;
        }

        /// <summary>The stage last accepted for a watched alarm ("" before received), or null when not watched.</summary>
        public string StageOf(string alarmId)
        {
            WatchedAlarm a = Find(alarmId);
            return a == null ? null : a.Stage;
        }

        /// <summary>The server reset the latch: nothing is followed any more.</summary>
        public void Clear()
        {
            _alarms.Clear();
        }

        /// <summary>The most urgent view over every watched alarm now (None when none is watched).</summary>
        public DeliveryView Evaluate(long nowMs)
        {
            DeliveryView worst = DeliveryView.None;
            for (int i = 0; i < _alarms.Count; i++)
            {
                DeliveryView v = Evaluate((WatchedAlarm)_alarms[i], nowMs);
                if (v > worst)
                {
                    worst = v;
                }
            }

            return worst;
        }

        private DeliveryView Evaluate(WatchedAlarm a, long nowMs)
        {
            if (AlarmStage.IsAcknowledged(a.Stage))
            {
                return DeliveryView.Acknowledged;
            }

            if (!a.NotAtPolice && !AlarmStage.IsAtPolice(a.Stage) && nowMs - a.SinceMs >= _waitMs)
            {
                a.NotAtPolice = true;
            }

            if (a.NotAtPolice)
            {
                return DeliveryView.NotAtPolice;
            }

            if (AlarmStage.IsStored(a.Stage))
            {
                return DeliveryView.Received;
            }

            return DeliveryView.Sending;
        }

        private void Add(string alarmId, string stage, long nowMs)
        {
            if (alarmId == null || Find(alarmId) != null)
            {
                return;
            }

            if (_alarms.Count >= MaxWatched)
            {
                int victim = 0;
                for (int i = 0; i < _alarms.Count; i++)
                {
                    if (AlarmStage.IsAcknowledged(((WatchedAlarm)_alarms[i]).Stage))
                    {
                        victim = i;
                        break;
                    }
                }

                _alarms.RemoveAt(victim);
            }

            WatchedAlarm a = new WatchedAlarm();
            a.Id = alarmId;
            a.Stage = stage;
            a.SinceMs = nowMs;
            _alarms.Add(a);
        }

        private WatchedAlarm Find(string alarmId)
        {
            for (int i = 0; i < _alarms.Count; i++)
            {
                WatchedAlarm a = (WatchedAlarm)_alarms[i];
                if (a.Id == alarmId)
                {
                    return a;
                }
            }

            return null;
        }

        private sealed class WatchedAlarm
        {
            public string Id;
            public string Stage;
            public long SinceMs;
            public bool NotAtPolice;
        }
    }
}

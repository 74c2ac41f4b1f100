using System;
using Gate.Contracts;
using Gate.Firmware.Alarms;
using Gate.Firmware.Commands;
using Gate.Firmware.Config;
using Gate.Firmware.Devices;

namespace Gate.Firmware.Connection
{
    /// <summary>
    /// What the device sends while connected, most important first: due alarms from the outbox (at most
    /// MaxPublishesPerPoll, so the client's in-flight queue stays small), command results, the retained state when it
    /// changed, the heartbeat when due; and the retained "online" on every (re)connect. Every publish goes through the
    /// session's guarded Publish: what the client refuses is tried again later, and heartbeat and state are never
    /// queued (the next one carries newer news).
    /// </summary>
    public sealed class Publisher
    {
        public const int MaxPublishesPerPoll = 4;

        /// <summary>An alarm the client refused is tried again after this, not in the very next Poll.</summary>
        private const long RefusedRetryMs = 1000;

        private readonly DeviceConfig _config;
        private readonly DeviceIdentity _identity;
        private readonly int _boot;
        private readonly BrokerSession _session;
        private readonly AlarmOutbox _outbox;
        private readonly GateDevices _devices;
        private readonly GuardAlarms _guard;
        private readonly CommandProcessor _commands;
        private readonly Jitter _jitter;
        // Made once, not a new string every publish.
        private readonly string _alarmTopic;
        private readonly string _resultTopic;
        private readonly string _stateTopic;
        private readonly string _heartbeatTopic;
        private readonly string _statusTopic;
        private long _stateSeq;
        private long _heartbeatSeq;
        private long _nextHeartbeatMs;
        private bool _stateDirty = true;

        public Publisher(DeviceConfig config, DeviceIdentity identity, int boot, string topicRoot, BrokerSession session, AlarmOutbox outbox, GateDevices devices, GuardAlarms guard, CommandProcessor commands)
        {
            _config = config;
            _identity = identity;
            _boot = boot;
            _session = session;
            _outbox = outbox;
            _devices = devices;
            _guard = guard;
            _commands = commands;
            _jitter = new Jitter(Jitter.SeedFrom(config.Device, 1));
            _alarmTopic = topicRoot + Topics.Alarm;
            _resultTopic = topicRoot + Topics.Result;
            _stateTopic = topicRoot + Topics.State;
            _heartbeatTopic = topicRoot + Topics.Heartbeat;
            _statusTopic = topicRoot + Topics.Status;
        }

        /// <summary>The retained state changed (bollard, barrier, drill): send it at the next chance.</summary>
        public void MarkStateDirty()
        {
            _stateDirty = true;
        }

        /// <summary>A session came up: everything unacknowledged is due now, and so are state and heartbeat.</summary>
        public void OnSessionUp(long nowMs)
        {
            _outbox.MarkAllDue(nowMs);
            _stateDirty = true;
            _nextHeartbeatMs = nowMs;
            // Retained "online" on every (re)connect: the will has replaced it with "offline" if we dropped.
            _session.Publish(_statusTopic, WireCodec.EncodeStatus(true), 1, true);
        }

        /// <summary>One Poll's publishing; call only while connected.</summary>
        public void Publish(long nowMs, DateTime utcNow, int freeMemory, int rssi)
        {
            // Alarms first: they are what the device is for.
            OutboxEntry[] due = _outbox.TakeDue(nowMs, MaxPublishesPerPoll);
            for (int i = 0; i < due.Length; i++)
            {
                if (!_session.Publish(_alarmTopic, due[i].Payload, 1, false))
                {
                    due[i].NextSendMs = nowMs + RefusedRetryMs;
                }
            }

            byte[] result;
            while ((result = _commands.PeekResult()) != null)
            {
                if (!_session.Publish(_resultTopic, result, 1, false))
                {
                    break;
                }

                _commands.ResultSent();
            }

            if (_stateDirty)
            {
                _stateSeq++;
                if (_session.Publish(_stateTopic, WireCodec.EncodeState(BuildState(_stateSeq, nowMs, utcNow)), 1, true))
                {
                    _stateDirty = false;
                }
            }

            if (nowMs >= _nextHeartbeatMs)
            {
                _heartbeatSeq++;
                _session.Publish(_heartbeatTopic, WireCodec.EncodeHeartbeat(BuildHeartbeat(_heartbeatSeq, nowMs, utcNow, freeMemory, rssi)), 0, false);
                long interval = (long)_config.HeartbeatSeconds * 1000;
                // +-10 % so a district's controllers drift apart instead of beating in step.
                long spread = interval / 5;
                _nextHeartbeatMs = nowMs + interval - (spread / 2) + _jitter.Next(spread + 1);
            }
        }

        private DeviceState BuildState(long sequence, long nowMs, DateTime utcNow)
        {
            DeviceState s = new DeviceState();
            s.Device = _config.Device;
            s.Sequence = sequence;
            s.Timestamp = UtcTime.IsSet(utcNow) ? utcNow : UtcTime.NotSet;
            s.UptimeMs = nowMs;
            s.Bollard = _devices.BollardWord;
            s.Barrier = _devices.BarrierWord;
            return s;
        }

        /// <summary>The heartbeat with the given sequence number: reads the device, changes nothing.</summary>
        private Heartbeat BuildHeartbeat(long sequence, long nowMs, DateTime utcNow, int freeMemory, int rssi)
        {
            LatchedAlarm panic = _guard.Panic;
            LatchedAlarm duress = _guard.Duress;
            Heartbeat h = new Heartbeat();
            h.Device = _config.Device;
            h.Sequence = sequence;
            h.UptimeMs = nowMs;
            h.Timestamp = UtcTime.IsSet(utcNow) ? utcNow : UtcTime.NotSet;
            h.Firmware = _identity.Firmware;
            h.BootCount = _boot;
            h.ResetReason = _identity.ResetReason;
            h.Inputs.Panic = _devices.PanicWord(panic != null && panic.Latched);
            h.Inputs.Duress = duress == null ? DuressInput.None : (duress.Latched ? DuressInput.Active : DuressInput.Normal);
            h.Inputs.Tamper = _devices.Tamper;
            h.Inputs.Bollard = _devices.BollardWord;
            h.Inputs.Barrier = _devices.BarrierWord;
            h.Mains = _devices.Power.Mains;
            h.BatteryMillivolts = _devices.Power.BatteryMillivolts;
            h.OutboxDepth = _outbox.Count;
            h.FreeMemory = freeMemory < 0 ? 0 : freeMemory;
            h.Rssi = rssi > 0 || rssi < Limits.MinRssi ? 0 : rssi;
            h.IntervalSeconds = _config.HeartbeatSeconds;
            h.Drill = _guard.Drill;
            return h;
        }
    }
}

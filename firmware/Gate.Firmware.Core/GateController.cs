using System;
using Gate.Contracts;
using Gate.Firmware.Alarms;
using Gate.Firmware.Commands;
using Gate.Firmware.Config;
using Gate.Firmware.Connection;
using Gate.Firmware.Devices;
using Gate.Firmware.Feedback;
using Gate.Firmware.Storage;

namespace Gate.Firmware
{
    /// <summary>
    /// One gate controller: inputs in, alarms out, feedback to the guard. Single-threaded: the glue calls
    /// Start once, then Poll(nowMs, utcNow) every 10-20 ms from one thread; MQTT events arrive on any thread
    /// and are queued until the next Poll. nowMs is a monotonic tick; utcNow is DateTime.MinValue until
    /// the clock is set, and everything works without it. The work is done by one object per capability
    /// (devices, the guard's alarms, commands, the session, the publisher, feedback and outputs); this class
    /// wires them (the session and the publisher at Start) and runs them in a fixed order each Poll.
    /// </summary>
    public sealed class GateController
    {
        public const long OfflineTroubleGraceMs = 10000;

        private readonly DeviceConfig _config;
        private readonly IFlashStorage _storage;
        private readonly IMqttTransport _transport;
        private readonly DeviceIdentity _identity;
        private readonly AlarmOutbox _outbox;
        private readonly AlarmRaiser _alarms;
        private readonly PoliceDeliveryWatch _watch;
        private readonly GuardFeedback _feedback = new GuardFeedback();
        private readonly ActionRequest _actions = new ActionRequest();
        private readonly GateDevices _devices;
        private readonly GuardAlarms _guard;
        private readonly CommandProcessor _commands;
        private readonly OutputDriver _outputs;
        private readonly string _topicRoot;
        private readonly string _ackTopic;
        private readonly string _commandTopic;

        // Made at Start: they need the boot number or the time.
        private BrokerSession _session;
        private Publisher _publisher;
        private int _boot;
        private long _nowMs;
        private DateTime _utcNow = DateTime.MinValue;
        private bool _clockWasSet;
        private long _nextSelfTestMs = -1;

        public GateController(DeviceConfig config, BoardPins pins, IFlashStorage storage, IMqttTransport transport, IGateIo io, DeviceIdentity identity)
        {
            _config = config;
            _storage = storage;
            _transport = transport;
            _identity = identity == null ? new DeviceIdentity() : identity;
            _outbox = new AlarmOutbox(storage, config.OutboxCapacity);
            _alarms = new AlarmRaiser(config.Device, _outbox);
            _watch = new PoliceDeliveryWatch((long)config.PoliceWaitSeconds * 1000);
            _devices = new GateDevices(config, pins, io, _alarms);
            _guard = new GuardAlarms(config, storage, _alarms, _watch, _devices.HasPanic, _devices.HasDuress);
            _commands = new CommandProcessor(config.Device, _guard, _devices.Bollard, _actions);
            _outputs = new OutputDriver(pins, io);
            _topicRoot = Topics.DeviceRoot(config.School, config.Device);
            _ackTopic = _topicRoot + Topics.Ack;
            _commandTopic = _topicRoot + Topics.Command;
        }

        public event AlarmRaisedHandler AlarmRaised { add { _alarms.Raised += value; } remove { _alarms.Raised -= value; } }

        public event AlarmAckHandler AckReceived;

        public event FeedbackChangedHandler FeedbackChanged;

        public event CommandHandledHandler CommandHandled { add { _commands.Handled += value; } remove { _commands.Handled -= value; } }

        public DeviceConfig Config { get { return _config; } }

        public int BootCount { get { return _boot; } }

        public AlarmOutbox Outbox { get { return _outbox; } }

        public bool IsConnected { get { return _session != null && _session.IsConnected; } }

        public bool PanicLatched { get { return _guard.Panic != null && _guard.Panic.Latched; } }

        public int PanicPressCount { get { return _guard.Panic == null ? 0 : _guard.Panic.PressCount; } }

        /// <summary>The latest press's alarm while the panic latch holds (every press is its own alarm).</summary>
        public string PanicAlarmId { get { return _guard.Panic == null ? null : _guard.Panic.AlarmId; } }

        /// <summary>The latest duress press's alarm while its latch holds.</summary>
        public string DuressAlarmId { get { return _guard.Duress == null ? null : _guard.Duress.AlarmId; } }

        /// <summary>The stage the device accepted for one of the guard's open alarms ("" before received); null when not followed.</summary>
        public string AlarmStageOf(string alarmId) { return _watch.StageOf(alarmId); }

        /// <summary>Where the guard's open alarms stand as the light shows it (None when none is open).</summary>
        public DeliveryView Delivery { get { return _watch.Evaluate(_nowMs); } }

        public bool DrillMode { get { return _guard.Drill; } }

        public string FeedbackPattern { get { return _feedback.Pattern.Name; } }

        public bool LedOn { get { return _feedback.Led; } }

        public bool BuzzerOn { get { return _feedback.Buzzer; } }

        public string BollardPositionWord { get { return _devices.BollardWord; } }

        public string BarrierPositionWord { get { return _devices.BarrierWord; } }

        public bool Mains { get { return _devices.Power.Mains; } }

        public bool Tamper { get { return _devices.Tamper; } }

        /// <summary>Free managed memory and Wi-Fi signal, set by the glue for the heartbeat.</summary>
        public int FreeMemory;

        public int Rssi;

        /// <summary>What the glue must do after this Poll, once its delay has passed.</summary>
        public PendingAction Action { get { return _actions.DueAt(_nowMs); } }

        public string ActionReason { get { return _actions.Reason; } }

        public bool Trouble
        {
            get
            {
                ConnectionSupervisor s = _session == null ? null : _session.Supervisor;
                bool offline = s != null && !s.IsConnected && _nowMs - s.OfflineSinceMs >= OfflineTroubleGraceMs;
                bool wiring = _devices.WiringFault;
                return offline || wiring || _outbox.StorageFailures > 0;
            }
        }

        public string Topic(string channel)
        {
            return _topicRoot + channel;
        }

        /// <summary>
        /// Boots the controller: reloads the outbox, increments the boot counter (before any alarm of this
        /// boot can exist), restores latches, and primes the inputs with their current levels.
        /// </summary>
        public void Start(long nowMs)
        {
            _nowMs = nowMs;
            int highestBoot;
            _outbox.Load(out highestBoot);
            _boot = BootCounter.Increment(_storage, highestBoot + 1);
            _alarms.Boot = _boot;

            _session = new BrokerSession(_config, _transport, _topicRoot, nowMs);
            _guard.Restore(_outbox, nowMs);
            _publisher = new Publisher(_config, _identity, _boot, _topicRoot, _session, _outbox, _devices, _guard, _commands);
            if (_config.SelfTestHours > 0)
            {
                _nextSelfTestMs = nowMs + ((long)_config.SelfTestHours * 3600000);
            }

            SampleInputs(nowMs);
            UpdateOutputs(nowMs);
        }

        /// <summary>One step: MQTT events, inputs, timers, connection, publishing, feedback, outputs.</summary>
        public void Poll(long nowMs, DateTime utcNow)
        {
            if (_publisher == null)
            {
                throw new InvalidOperationException("Start first");
            }

            _nowMs = nowMs;
            _utcNow = utcNow;
            _alarms.UtcNow = utcNow;
            if (!_clockWasSet && UtcTime.IsSet(utcNow))
            {
                _clockWasSet = true;
                _outbox.FillTimestamps(_boot, utcNow, nowMs);
            }

            DrainEvents(nowMs);
            SampleInputs(nowMs);
            RunTimers(nowMs);
            if (_session.Supervise(nowMs))
            {
                _actions.Request(PendingAction.Reboot, "offline_too_long", nowMs, 0);
            }

            if (_session.IsConnected)
            {
                _publisher.Publish(nowMs, utcNow, FreeMemory, Rssi);
            }

            UpdateOutputs(nowMs);
        }

        /// <summary>Builds the alarm, persists it, and leaves publishing to the outbox.</summary>
        public Alarm RaiseAlarm(string kind, int zone, bool restore, string detail, long nowMs)
        {
            return _alarms.Raise(kind, zone, restore, detail, nowMs);
        }

        private void SampleInputs(long nowMs)
        {
            // Panic before duress, both before the rest: the order the alarms of one Poll are numbered in.
            _guard.Update(_devices.ReadPanic(nowMs), _devices.ReadDuress(nowMs), nowMs);
            if (_devices.Sample(nowMs))
            {
                _publisher.MarkStateDirty();
            }
        }

        private void RunTimers(long nowMs)
        {
            if (_guard.ExpireDrill(nowMs))
            {
                _publisher.MarkStateDirty();
            }

            if (_nextSelfTestMs >= 0 && nowMs >= _nextSelfTestMs)
            {
                _nextSelfTestMs = nowMs + ((long)_config.SelfTestHours * 3600000);
                _alarms.Raise(AlarmKind.PeriodicTest, Zones.Device, false, null, nowMs);
            }
        }

        private void DrainEvents(long nowMs)
        {
            TransportEvent e;
            while ((e = _session.Events.Dequeue()) != null)
            {
                switch (e.Kind)
                {
                    case TransportEventKind.Connected:
                        _session.Supervisor.OnConnected(nowMs);
                        _publisher.OnSessionUp(nowMs);
                        break;
                    case TransportEventKind.ConnectFailed: _session.Supervisor.OnConnectFailed(e.Reason, nowMs); break;
                    case TransportEventKind.Disconnected: _session.Supervisor.OnDisconnected(e.Reason, nowMs); break;
                    case TransportEventKind.Message: HandleMessage(e.Topic, e.Payload, nowMs); break;
                }
            }
        }

        private void HandleMessage(string topic, byte[] payload, long nowMs)
        {
            AlarmAck ack;
            string error;
            if (topic == _commandTopic)
            {
                if (_commands.Handle(payload, nowMs, _utcNow))
                {
                    _publisher.MarkStateDirty();
                }
            }
            else if (topic == _ackTopic && WireCodec.TryDecodeAck(payload, out ack, out error))
            {
                if (AlarmStage.IsStored(ack.Stage))
                {
                    _outbox.Acknowledge(ack.Id);
                }

                _watch.OnAck(ack.Id, ack.Stage, nowMs);
                if (AckReceived != null)
                {
                    AckReceived(ack.Id, ack.Stage, nowMs);
                }
            }
        }

        private void UpdateOutputs(long nowMs)
        {
            if (_feedback.Update(_watch.Evaluate(nowMs), _guard.Silent, _guard.Drill, Trouble, nowMs) && FeedbackChanged != null)
            {
                FeedbackChanged(_feedback.Pattern.Name, nowMs);
            }

            _outputs.Write(_feedback.Led, _feedback.Buzzer, _session.IsConnected, _devices.Bollard);
        }
    }
}

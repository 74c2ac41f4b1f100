using System;
using System.Collections;
using Gate.Contracts;
using Gate.Contracts.Json;
using Gate.Firmware.Alarms;
using Gate.Firmware.Commands;
using Gate.Firmware.Config;
using Gate.Firmware.Connection;
using Gate.Firmware.Devices;
using Gate.Firmware.Feedback;
using Gate.Firmware.Inputs;
using Gate.Firmware.Storage;

namespace Gate.Firmware
{
    /// <summary>
    /// One gate controller: inputs in, alarms out, feedback to the guard. Single-threaded: the glue calls
    /// Start once, then Poll(nowMs, utcNow) every 10-20 ms from one thread; MQTT events arrive on any thread
    /// and are queued until the next Poll. nowMs is a monotonic tick; utcNow is DateTime.MinValue until
    /// the clock is set, and everything works without it.
    /// </summary>
    public sealed class GateController
    {
        public const int MaxPublishesPerPoll = 4;
        public const long OfflineTroubleGraceMs = 10000;

        private readonly DeviceConfig _config;
        private readonly BoardPins _pins;
        private readonly IFlashStorage _storage;
        private readonly IMqttTransport _transport;
        private readonly IGateIo _io;
        private readonly DeviceIdentity _identity;
        private readonly AlarmOutbox _outbox;
        private readonly GuardFeedback _feedback = new GuardFeedback();
        private readonly PoliceDeliveryWatch _watch;
        private readonly Jitter _jitter;
        private readonly TransportEventQueue _events = new TransportEventQueue();
        private readonly ActionRequest _actions = new ActionRequest();
        private readonly string _topicRoot;

        private ConnectionSupervisor _supervisor;
        private readonly AlarmRaiser _alarms;
        private GuardAlarms _guard;
        private CommandProcessor _commands;
        private GateDevices _devices;
        private bool _started;
        private int _boot;
        private long _stateSeq;
        private long _heartbeatSeq;
        private long _nowMs;
        private DateTime _utcNow = DateTime.MinValue;
        private bool _clockWasSet;
        private long _nextHeartbeatMs;
        private string _heartbeatTopic;
        private long _nextSelfTestMs = -1;
        private bool _stateDirty = true;
        private bool _relayWritten;
        private bool _relayLevel;
        private int _ledLevel = -1;
        private int _led2Level = -1;
        private int _buzzerLevel = -1;

        public GateController(DeviceConfig config, BoardPins pins, IFlashStorage storage, IMqttTransport transport, IGateIo io, DeviceIdentity identity)
        {
            _config = config;
            _pins = pins;
            _storage = storage;
            _transport = transport;
            _io = io;
            _identity = identity == null ? new DeviceIdentity() : identity;
            _outbox = new AlarmOutbox(storage, config.OutboxCapacity);
            _alarms = new AlarmRaiser(config.Device, _outbox);
            _jitter = new Jitter(Jitter.SeedFrom(config.Device, 1));
            _topicRoot = Topics.DeviceRoot(config.School, config.Device);
            _watch = new PoliceDeliveryWatch((long)config.PoliceWaitSeconds * 1000);
        }

        public event AlarmRaisedHandler AlarmRaised { add { _alarms.Raised += value; } remove { _alarms.Raised -= value; } }

        public event AlarmAckHandler AckReceived;

        public event FeedbackChangedHandler FeedbackChanged;

        public event CommandHandledHandler CommandHandled;

        public DeviceConfig Config { get { return _config; } }

        public int BootCount { get { return _boot; } }

        public AlarmOutbox Outbox { get { return _outbox; } }

        public bool IsConnected { get { return _supervisor != null && _supervisor.IsConnected; } }

        public bool PanicLatched { get { return _guard != null && _guard.Panic != null && _guard.Panic.Latched; } }

        public int PanicPressCount { get { return _guard == null || _guard.Panic == null ? 0 : _guard.Panic.PressCount; } }

        /// <summary>The latest press's alarm while the panic latch holds (every press is its own alarm).</summary>
        public string PanicAlarmId { get { return _guard == null || _guard.Panic == null ? null : _guard.Panic.AlarmId; } }

        /// <summary>The latest duress press's alarm while its latch holds.</summary>
        public string DuressAlarmId { get { return _guard == null || _guard.Duress == null ? null : _guard.Duress.AlarmId; } }

        /// <summary>The stage the device accepted for one of the guard's open alarms ("" before received); null when not followed.</summary>
        public string AlarmStageOf(string alarmId) { return _watch.StageOf(alarmId); }

        /// <summary>Where the guard's open alarms stand as the light shows it (None when none is open).</summary>
        public DeliveryView Delivery { get { return _watch.Evaluate(_nowMs); } }

        public bool DrillMode { get { return _guard != null && _guard.Drill; } }

        public string FeedbackPattern { get { return _feedback.Pattern.Name; } }

        public bool LedOn { get { return _feedback.Led; } }

        public bool BuzzerOn { get { return _feedback.Buzzer; } }

        public string BollardPositionWord { get { return _devices == null ? BollardPosition.None : _devices.BollardWord; } }

        public string BarrierPositionWord { get { return _devices == null ? BarrierPosition.None : _devices.BarrierWord; } }

        public bool Mains { get { return _devices.Power.Mains; } }

        public bool Tamper { get { return _devices != null && _devices.Tamper; } }

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
                bool offline = _supervisor != null && !_supervisor.IsConnected && _nowMs - _supervisor.OfflineSinceMs >= OfflineTroubleGraceMs;
                bool wiring = _devices != null && _devices.WiringFault;
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

            _supervisor = new ConnectionSupervisor(
                new Backoff(Backoff.DefaultInitialMs, Backoff.DefaultMaxMs, new Jitter(Jitter.SeedFrom(_config.Device, 2))),
                ConnectionSupervisor.DefaultConnectTimeoutMs,
                (long)_config.RebootAfterOfflineSeconds * 1000,
                nowMs);
            _transport.SetListener(_events);

            CreateDevices();
            _guard.Restore(_outbox, nowMs);
            _commands = new CommandProcessor(_config.Device, _guard, _devices.Bollard, _actions);
            _commands.Handled += OnCommandHandled;
            if (_config.SelfTestHours > 0)
            {
                _nextSelfTestMs = nowMs + ((long)_config.SelfTestHours * 3600000);
            }

            _started = true;
            SampleInputs(nowMs);
            UpdateOutputs(nowMs);
        }

        /// <summary>One step: inputs, MQTT events, connection, publishing, feedback, outputs.</summary>
        public void Poll(long nowMs, DateTime utcNow)
        {
            if (!_started)
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
            Supervise(nowMs);
            if (_supervisor.IsConnected)
            {
                Publish(nowMs);
            }

            UpdateOutputs(nowMs);
        }

        // ---- inputs ----

        private void CreateDevices()
        {
            _devices = new GateDevices(_config, _pins, _io, _alarms);
            _guard = new GuardAlarms(_config, _storage, _alarms, _watch, _devices.HasPanic, _devices.HasDuress);
        }

        private void SampleInputs(long nowMs)
        {
            _guard.Update(_devices.ReadPanic(nowMs), _devices.ReadDuress(nowMs), nowMs);
            if (_devices.Sample(nowMs))
            {
                _stateDirty = true;
            }
        }

        // ---- alarms ----

        /// <summary>Builds the alarm, persists it, and leaves publishing to the outbox.</summary>
        public Alarm RaiseAlarm(string kind, int zone, bool restore, string detail, long nowMs)
        {
            return _alarms.Raise(kind, zone, restore, detail, nowMs);
        }

        // ---- timers ----

        private void RunTimers(long nowMs)
        {
            if (_guard.ExpireDrill(nowMs))
            {
                _stateDirty = true;
            }

            if (_nextSelfTestMs >= 0 && nowMs >= _nextSelfTestMs)
            {
                _nextSelfTestMs = nowMs + ((long)_config.SelfTestHours * 3600000);
                _alarms.Raise(AlarmKind.PeriodicTest, Zones.Device, false, null, nowMs);
            }
        }

        // ---- connection ----

        private void Supervise(long nowMs)
        {
            ConnectionAction action = _supervisor.Poll(nowMs);
            if (action == ConnectionAction.Connect)
            {
                MqttConnectOptions o = new MqttConnectOptions();
                o.Host = _config.BrokerHost;
                o.Port = _config.BrokerPort;
                o.UseTls = _config.BrokerTls;
                o.ClientId = _config.Device;
                o.Username = _config.Device;
                o.Password = _config.Credential;
                o.KeepAliveSeconds = 60;
                o.WillTopic = Topic(Topics.Status);
                o.WillPayload = WireCodec.EncodeStatus(false);
                o.WillRetain = true;
                o.WillQos = 1;
                o.Subscriptions = new string[] { Topic(Topics.Ack), Topic(Topics.Command) };
                try
                {
                    _transport.BeginConnect(o);
                }
                catch (Exception ex)
                {
                    // M2Mqtt's constructor throws while the network is down: a failed attempt, not a crash.
                    _supervisor.OnConnectFailed(ex.Message, nowMs);
                }
            }
            else if (action == ConnectionAction.Abort)
            {
                SafeAbort();
            }
            else if (action == ConnectionAction.Reboot)
            {
                _actions.Request(PendingAction.Reboot, "offline_too_long", nowMs, 0);
            }
        }

        private void SafeAbort()
        {
            try
            {
                _transport.Abort();
            }
            catch (Exception)
            {
                // Already gone.
            }
        }

        private void OnSessionUp(long nowMs)
        {
            _supervisor.OnConnected(nowMs);
            _outbox.MarkAllDue(nowMs);
            _stateDirty = true;
            _nextHeartbeatMs = nowMs;
            // Retained "online" on every (re)connect: the will has replaced it with "offline" if we dropped.
            _transport.Publish(Topic(Topics.Status), WireCodec.EncodeStatus(true), 1, true);
        }

        // ---- publishing ----

        private void Publish(long nowMs)
        {
            // Alarms first: they are what the device is for.
            OutboxEntry[] due = _outbox.TakeDue(nowMs, MaxPublishesPerPoll);
            for (int i = 0; i < due.Length; i++)
            {
                if (!SafePublish(Topic(Topics.Alarm), due[i].Payload, 1, false))
                {
                    due[i].NextSendMs = nowMs + 1000;
                }
            }

            byte[] result;
            while ((result = _commands.PeekResult()) != null)
            {
                if (!SafePublish(Topic(Topics.Result), result, 1, false))
                {
                    break;
                }

                _commands.ResultSent();
            }

            if (_stateDirty)
            {
                _stateSeq++;
                DeviceState s = new DeviceState();
                s.Device = _config.Device;
                s.Sequence = _stateSeq;
                s.Timestamp = UtcTime.IsSet(_utcNow) ? _utcNow : UtcTime.NotSet;
                s.UptimeMs = nowMs;
                s.Bollard = BollardPositionWord;
                s.Barrier = BarrierPositionWord;
                if (SafePublish(Topic(Topics.State), WireCodec.EncodeState(s), 1, true))
                {
                    _stateDirty = false;
                }
            }

            if (nowMs >= _nextHeartbeatMs)
            {
                if (_heartbeatTopic == null)
                {
                    _heartbeatTopic = Topic(Topics.Heartbeat); // once, not a new string every beat
                }

                SafePublish(_heartbeatTopic, WireCodec.EncodeHeartbeat(BuildHeartbeat(nowMs)), 0, false);
                long interval = (long)_config.HeartbeatSeconds * 1000;
                // +-10 % so a district's controllers drift apart instead of beating in step.
                long spread = interval / 5;
                _nextHeartbeatMs = nowMs + interval - (spread / 2) + _jitter.Next(spread + 1);
            }
        }

        private bool SafePublish(string topic, byte[] payload, int qos, bool retain)
        {
            try
            {
                return _transport.Publish(topic, payload, qos, retain);
            }
            catch (Exception)
            {
                return false;
            }
        }

        public Heartbeat BuildHeartbeat(long nowMs)
        {
            _heartbeatSeq++;
            Heartbeat h = new Heartbeat();
            h.Device = _config.Device;
            h.Sequence = _heartbeatSeq;
            h.UptimeMs = nowMs;
            h.Timestamp = UtcTime.IsSet(_utcNow) ? _utcNow : UtcTime.NotSet;
            h.Firmware = _identity.Firmware;
            h.BootCount = _boot;
            h.ResetReason = _identity.ResetReason;
            h.Inputs.Panic = _devices.PanicWord(PanicLatched);
            h.Inputs.Duress = _guard.Duress == null ? DuressInput.None : (_guard.Duress.Latched ? DuressInput.Active : DuressInput.Normal);
            h.Inputs.Tamper = _devices.Tamper;
            h.Inputs.Bollard = BollardPositionWord;
            h.Inputs.Barrier = BarrierPositionWord;
            h.Mains = _devices.Power.Mains;
            h.BatteryMillivolts = _devices.Power.BatteryMillivolts;
            h.OutboxDepth = _outbox.Count;
            h.FreeMemory = FreeMemory < 0 ? 0 : FreeMemory;
            h.Rssi = Rssi > 0 || Rssi < Limits.MinRssi ? 0 : Rssi;
            h.IntervalSeconds = _config.HeartbeatSeconds;
            h.Drill = _guard.Drill;
            return h;
        }

        // ---- messages from the server ----

        private void DrainEvents(long nowMs)
        {
            TransportEvent e;
            while ((e = _events.Dequeue()) != null)
            {
                switch (e.Kind)
                {
                    case TransportEventKind.Connected: OnSessionUp(nowMs); break;
                    case TransportEventKind.ConnectFailed: _supervisor.OnConnectFailed(e.Reason, nowMs); break;
                    case TransportEventKind.Disconnected: _supervisor.OnDisconnected(e.Reason, nowMs); break;
                    case TransportEventKind.Message: HandleMessage(e.Topic, e.Payload, nowMs); break;
                }
            }
        }

        private void HandleMessage(string topic, byte[] payload, long nowMs)
        {
            if (topic == Topic(Topics.Ack))
            {
                HandleAck(payload, nowMs);
            }
            else if (topic == Topic(Topics.Command))
            {
                if (_commands.Handle(payload, nowMs, _utcNow))
                {
                    _stateDirty = true;
                }
            }
        }

        private void HandleAck(byte[] payload, long nowMs)
        {
            AlarmAck ack;
            string error;
            if (!WireCodec.TryDecodeAck(payload, out ack, out error))
            {
                return;
            }

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

        private void OnCommandHandled(Command command, CommandResult result, long nowMs)
        {
            if (CommandHandled != null)
            {
                CommandHandled(command, result, nowMs);
            }
        }

        // ---- outputs ----

        private void UpdateOutputs(long nowMs)
        {
            if (_feedback.Update(_watch.Evaluate(nowMs), _guard.Silent, _guard.Drill, Trouble, nowMs) && FeedbackChanged != null)
            {
                FeedbackChanged(_feedback.Pattern.Name, nowMs);
            }

            Write(GateFunction.Led, _feedback.Led, ref _ledLevel);
            Write(GateFunction.Buzzer, _feedback.Buzzer, ref _buzzerLevel);
            Write(GateFunction.Led2, _supervisor.IsConnected, ref _led2Level);
            Bollard bollard = _devices.Bollard;
            if (bollard != null && bollard.IsCommanded && _pins.IsFitted(GateFunction.BollardRelay))
            {
                bool raise = bollard.RelayRaise;
                if (!_relayWritten || raise != _relayLevel)
                {
                    _io.WriteDigital(_pins.Pin(GateFunction.BollardRelay), raise);
                    _relayWritten = true;
                    _relayLevel = raise;
                }
            }
        }

        private void Write(string function, bool level, ref int last)
        {
            if (!_pins.IsFitted(function))
            {
                return;
            }

            int value = level ? 1 : 0;
            if (value != last)
            {
                _io.WriteDigital(_pins.Pin(function), level);
                last = value;
            }
        }
    }
}

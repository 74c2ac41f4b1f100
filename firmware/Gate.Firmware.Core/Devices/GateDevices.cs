using System.Collections;
using Gate.Contracts;
using Gate.Firmware.Config;
using Gate.Firmware.Inputs;

namespace Gate.Firmware.Devices
{
    /// <summary>
    /// The device models the board has fitted (panic loop, bollard, barrier arm, power, tamper) and their conditioned
    /// inputs, sampled once a Poll. Alarms and restores go to the sink; what the state message shows is reported back.
    /// </summary>
    public sealed class GateDevices
    {
        private static readonly string[] DigitalInputs =
        {
            GateFunction.Panic, GateFunction.Duress, GateFunction.BollardUp, GateFunction.BollardDown,
            GateFunction.BollardFault, GateFunction.BarrierOpen, GateFunction.BarrierRequest, GateFunction.Tamper,
            GateFunction.Mains,
        };

        private readonly DeviceConfig _config;
        private readonly BoardPins _pins;
        private readonly IGateIo _io;
        private readonly IAlarmSink _sink;
        private readonly Hashtable _inputs = new Hashtable();
        private readonly PanicLoopMonitor _loop;
        private readonly Bollard _bollard;
        private readonly BarrierArm _barrier;
        private readonly PowerMonitor _power;
        private bool _tamper;

        public GateDevices(DeviceConfig config, BoardPins pins, IGateIo io, IAlarmSink sink)
        {
            _config = config;
            _pins = pins;
            _io = io;
            _sink = sink;
            for (int i = 0; i < DigitalInputs.Length; i++)
            {
                if (pins.IsFitted(DigitalInputs[i]))
                {
                    _inputs[DigitalInputs[i]] = config.CreateInput(DigitalInputs[i], pins);
                }
            }

            if (pins.IsFitted(GateFunction.PanicLoop))
            {
                _loop = new PanicLoopMonitor(config.LoopShortBelowMv, config.LoopNormalBelowMv, config.LoopAlarmBelowMv, config.LoopSettleMs);
            }

            if (pins.IsFitted(GateFunction.BollardUp) || pins.IsFitted(GateFunction.BollardDown))
            {
                _bollard = new Bollard(sink, config.BollardTravelMs);
            }

            if (pins.IsFitted(GateFunction.BarrierOpen))
            {
                _barrier = new BarrierArm(sink, config.BarrierWindowMs);
            }

            _power = new PowerMonitor(sink, config.BatteryLowMv, config.BatteryHysteresisMv, PowerMonitor.DefaultSettleMs);
        }

        /// <summary>A panic button or a supervised panic loop is fitted.</summary>
        public bool HasPanic { get { return _pins.IsFitted(GateFunction.Panic) || _loop != null; } }

        public bool HasDuress { get { return _pins.IsFitted(GateFunction.Duress); } }

        /// <summary>Null when not fitted.</summary>
        public Bollard Bollard { get { return _bollard; } }

        public PowerMonitor Power { get { return _power; } }

        public bool Tamper { get { return _tamper; } }

        public string BollardWord { get { return _bollard == null ? BollardPosition.None : _bollard.Position; } }

        public string BarrierWord { get { return _barrier == null ? BarrierPosition.None : _barrier.Position; } }

        /// <summary>The panic loop is cut or shorted (tampering): trouble.</summary>
        public bool WiringFault { get { return _loop != null && (_loop.State == LoopState.Cut || _loop.State == LoopState.Short); } }

        /// <summary>The heartbeat's panic input: a wiring fault first, else latched or normal.</summary>
        public string PanicWord(bool latched)
        {
            if (_loop != null && _loop.State == LoopState.Cut) { return PanicLoop.Cut; }
            if (_loop != null && _loop.State == LoopState.Short) { return PanicLoop.Short; }
            return latched ? PanicLoop.Latched : PanicLoop.Normal;
        }

        /// <summary>Whether the panic is operated now: the loop's alarm band, else the button input.</summary>
        public bool ReadPanic(long nowMs)
        {
            if (_loop == null)
            {
                return Digital(GateFunction.Panic, nowMs);
            }

            LoopState before = _loop.State;
            if (_loop.Update(_io.ReadMillivolts(_pins.Pin(GateFunction.PanicLoop)), nowMs))
            {
                ReportLoopChange(before, _loop.State, nowMs);
            }

            return _loop.State == LoopState.Alarm;
        }

        public bool ReadDuress(long nowMs)
        {
            return Digital(GateFunction.Duress, nowMs);
        }

        /// <summary>Samples everything but panic and duress. True when the published state (bollard, barrier) changed.</summary>
        public bool Sample(long nowMs)
        {
            bool changed = false;
            if (_bollard != null)
            {
                bool up = Digital(GateFunction.BollardUp, nowMs);
                bool down = Digital(GateFunction.BollardDown, nowMs);
                bool fault = Digital(GateFunction.BollardFault, nowMs);
                changed |= _bollard.Update(up, down, fault, nowMs);
            }

            if (_barrier != null)
            {
                if (Digital(GateFunction.BarrierRequest, nowMs))
                {
                    _barrier.Authorise(nowMs);
                }

                changed |= _barrier.Update(Digital(GateFunction.BarrierOpen, nowMs), nowMs);
            }

            if (_inputs.Contains(GateFunction.Tamper))
            {
                bool tamper = Digital(GateFunction.Tamper, nowMs);
                if (tamper != _tamper)
                {
                    _tamper = tamper;
                    _sink.Raise(AlarmKind.Tamper, Zones.Tamper, !tamper, null, nowMs);
                }
            }

            if (_inputs.Contains(GateFunction.Mains))
            {
                _power.UpdateMains(Digital(GateFunction.Mains, nowMs), nowMs);
            }

            if (_pins.IsFitted(GateFunction.Battery))
            {
                int pinMv = _io.ReadMillivolts(_pins.Pin(GateFunction.Battery));
                _power.UpdateBattery((int)(pinMv * _config.BatteryDivider), nowMs);
            }

            return changed;
        }

        private bool Digital(string function, long nowMs)
        {
            ConditionedInput input = (ConditionedInput)_inputs[function];
            if (input == null)
            {
                return false;
            }

            input.Update(_io.ReadDigital(_pins.Pin(function)), nowMs);
            return input.State;
        }

        private void ReportLoopChange(LoopState before, LoopState after, long nowMs)
        {
            if (before == LoopState.Cut) { _sink.Raise(AlarmKind.WiringCut, Zones.PanicLoop, true, null, nowMs); }
            if (before == LoopState.Short) { _sink.Raise(AlarmKind.WiringShort, Zones.PanicLoop, true, null, nowMs); }
            if (after == LoopState.Cut) { _sink.Raise(AlarmKind.WiringCut, Zones.PanicLoop, false, null, nowMs); }
            if (after == LoopState.Short) { _sink.Raise(AlarmKind.WiringShort, Zones.PanicLoop, false, null, nowMs); }
        }
    }
}

using Gate.Contracts;

namespace Gate.Firmware.Devices
{
    /// <summary>
    /// Mains presence and the backup battery. Mains lost raises power_loss (restored when it returns); a
    /// battery below the low threshold for the settle time raises battery_low, restored only once it is back
    /// above threshold + hysteresis, so a battery hovering at the threshold does not flap.
    /// A reading of 0 mV means no battery is fitted.
    /// </summary>
    public sealed class PowerMonitor
    {
        public const int DefaultLowMv = 11500;
        public const int DefaultHysteresisMv = 400;
        public const int DefaultSettleMs = 5000;

        private readonly IAlarmSink _alarms;
        private readonly int _lowMv;
        private readonly int _hysteresisMv;
        private readonly long _settleMs;
        private bool _mains = true;
        private bool _mainsStarted;
        private bool _batteryLow;
        private long _crossingSinceMs = -1;
        private int _batteryMv;

        public PowerMonitor(IAlarmSink alarms, int lowMv, int hysteresisMv, long settleMs)
        {
            _alarms = alarms;
            _lowMv = lowMv;
            _hysteresisMv = hysteresisMv < 0 ? 0 : hysteresisMv;
            _settleMs = settleMs < 0 ? 0 : settleMs;
        }

        public bool Mains { get { return _mains; } }

        public bool BatteryLow { get { return _batteryLow; } }

        public int BatteryMillivolts { get { return _batteryMv; } }

        /// <summary>Feeds the conditioned mains input; true when it changed.</summary>
        public bool UpdateMains(bool present, long nowMs)
        {
            if (!_mainsStarted)
            {
                _mainsStarted = true;
                _mains = present;
                if (!present)
                {
                    // Booting on battery is itself worth reporting: the power cut may be why we rebooted.
                    _alarms.Raise(AlarmKind.PowerLoss, Zones.Mains, false, null, nowMs);
                }

                return false;
            }

            if (present == _mains)
            {
                return false;
            }

            _mains = present;
            _alarms.Raise(AlarmKind.PowerLoss, Zones.Mains, present, null, nowMs);
            return true;
        }

        /// <summary>Feeds one battery reading.</summary>
        public void UpdateBattery(int millivolts, long nowMs)
        {
            _batteryMv = millivolts < 0 ? 0 : millivolts;
            if (_batteryMv == 0)
            {
                _crossingSinceMs = -1;
                return;
            }

            bool crossing = _batteryLow ? _batteryMv >= _lowMv + _hysteresisMv : _batteryMv < _lowMv;
            if (!crossing)
            {
                _crossingSinceMs = -1;
                return;
            }

            if (_crossingSinceMs < 0)
            {
                _crossingSinceMs = nowMs;
            }

            if (nowMs - _crossingSinceMs >= _settleMs)
            {
                _batteryLow = !_batteryLow;
                _crossingSinceMs = -1;
                _alarms.Raise(AlarmKind.BatteryLow, Zones.Battery, !_batteryLow, null, nowMs);
            }
        }
    }
}

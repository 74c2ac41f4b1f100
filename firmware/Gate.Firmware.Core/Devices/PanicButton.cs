namespace Gate.Firmware.Devices
{
    /// <summary>What one PanicButton.Update saw.</summary>
    public enum PressEvent
    {
        /// <summary>Nothing happened in this update.</summary>
        None = 0,

        /// <summary>The button latched: raise the alarm.</summary>
        Triggered = 1,

        /// <summary>Another qualified press while latched: PressCount grew.</summary>
        RepeatPress = 2,
    }

    /// <summary>
    /// The guard's one-button alarm. A press counts only when held for the hold time (a brush against the
    /// button is not an alarm), and once triggered it stays latched until the server resets it: a panic
    /// alarm cannot be silenced at the device (GB 50394). Further qualified presses while latched are counted
    /// and reported as RepeatPress; the controller raises each as an alarm of its own.
    /// Also used for the duress input (its own kind and zone).
    /// </summary>
    public sealed class PanicButton
    {
        public const int DefaultHoldMs = 500;

        private readonly long _holdMs;
        private bool _pressed;
        private bool _qualified;
        private long _pressedAtMs;
        private bool _latched;
        private int _pressCount;
        private long _latchedAtMs;

        public PanicButton(long holdMs)
        {
            _holdMs = holdMs < 0 ? 0 : holdMs;
        }

        public long HoldMs { get { return _holdMs; } }

        public bool Latched { get { return _latched; } }

        /// <summary>Qualified presses since the latch was set, including the one that set it.</summary>
        public int PressCount { get { return _pressCount; } }

        public long LatchedAtMs { get { return _latchedAtMs; } }

        /// <summary>Feeds the conditioned (debounced) level; returns None, Triggered or RepeatPress.</summary>
        public PressEvent Update(bool pressed, long nowMs)
        {
            if (pressed && !_pressed)
            {
                _pressed = true;
                _qualified = false;
                _pressedAtMs = nowMs;
            }
            else if (!pressed && _pressed)
            {
                _pressed = false;
                _qualified = false;
                return PressEvent.None;
            }

            if (!_pressed || _qualified || nowMs - _pressedAtMs < _holdMs)
            {
                return PressEvent.None;
            }

            _qualified = true;
            if (!_latched)
            {
                _latched = true;
                _latchedAtMs = nowMs;
                _pressCount = 1;
                return PressEvent.Triggered;
            }

            _pressCount++;
            return PressEvent.RepeatPress;
        }

        /// <summary>Only the server's reset_latch command calls this. A button still held does not re-trigger until released.</summary>
        public void ResetLatch()
        {
            _latched = false;
            _pressCount = 0;
            _qualified = _pressed;
        }

        /// <summary>Restores a latch that was set before a reboot (persisted by the controller).</summary>
        public void RestoreLatch(int pressCount, long nowMs)
        {
            _latched = true;
            _latchedAtMs = nowMs;
            _pressCount = pressCount < 1 ? 1 : pressCount;
        }
    }
}

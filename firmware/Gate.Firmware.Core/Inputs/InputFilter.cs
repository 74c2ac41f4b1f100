namespace Gate.Firmware.Inputs
{
    /// <summary>
    /// One stage of an input chain, after ESPHome's binary_sensor filters: it takes a level now and either
    /// emits at once or schedules an emit that a later Poll(nowMs) delivers. Time is passed in, so a test
    /// vector replays exactly.
    /// </summary>
    public abstract class InputFilter
    {
        private InputFilter _next;
        private bool _output;

        /// <summary>The level this stage last emitted.</summary>
        public bool Output { get { return _output; } }

        internal InputFilter Next { get { return _next; } set { _next = value; } }

        public abstract void Input(bool level, long nowMs);

        /// <summary>Delivers a scheduled emit whose time has come. Stages without timers do nothing.</summary>
        public virtual void Poll(long nowMs)
        {
        }

        /// <summary>
        /// Sets this stage (and, through Emit, the rest of the chain) to a level without delay: used once at
        /// start-up, so a mains input that is already high does not report a power cut while its filter fills.
        /// </summary>
        public virtual void Prime(bool level)
        {
            CancelPending();
            _output = Transform(level);
            if (_next != null)
            {
                _next.Prime(_output);
            }
        }

        /// <summary>The level this stage passes on for a steady input (only Invert changes it).</summary>
        protected virtual bool Transform(bool level)
        {
            return level;
        }

        protected virtual void CancelPending()
        {
        }

        protected void Emit(bool level, long nowMs)
        {
            _output = level;
            if (_next != null)
            {
                _next.Input(level, nowMs);
            }
        }
    }

    /// <summary>invert: active-low wiring read as active-high.</summary>
    public sealed class InvertFilter : InputFilter
    {
        public override void Input(bool level, long nowMs)
        {
            Emit(!level, nowMs);
        }

        protected override bool Transform(bool level)
        {
            return !level;
        }
    }

    /// <summary>
    /// delayed_on_off: a change is passed on only once the input has held the new level for the delay of
    /// that direction; a bounce back cancels it. delayed_on is (d, 0), delayed_off is (0, d), debounce is (d, d).
    /// </summary>
    public sealed class DelayedOnOffFilter : InputFilter
    {
        private readonly long _onDelayMs;
        private readonly long _offDelayMs;
        private bool _pending;
        private bool _pendingLevel;
        private long _pendingAtMs;

        public DelayedOnOffFilter(long onDelayMs, long offDelayMs)
        {
            _onDelayMs = onDelayMs < 0 ? 0 : onDelayMs;
            _offDelayMs = offDelayMs < 0 ? 0 : offDelayMs;
        }

        public long OnDelayMs { get { return _onDelayMs; } }

        public long OffDelayMs { get { return _offDelayMs; } }

        public override void Input(bool level, long nowMs)
        {
            if (level == Output)
            {
                _pending = false;
                return;
            }

            if (_pending && _pendingLevel == level)
            {
                return;
            }

            long delay = level ? _onDelayMs : _offDelayMs;
            if (delay == 0)
            {
                _pending = false;
                Emit(level, nowMs);
                return;
            }

            _pending = true;
            _pendingLevel = level;
            _pendingAtMs = nowMs + delay;
        }

        public override void Poll(long nowMs)
        {
            if (_pending && nowMs >= _pendingAtMs)
            {
                _pending = false;
                Emit(_pendingLevel, nowMs);
            }
        }

        protected override void CancelPending()
        {
            _pending = false;
        }
    }

    /// <summary>
    /// settle: the first change is passed on at once, then the input must stay put for the settle time
    /// before another change is passed on (a contact that chatters reports one edge, quickly).
    /// </summary>
    public sealed class SettleFilter : InputFilter
    {
        private readonly long _settleMs;
        private bool _settling;
        private long _settledAtMs;
        private bool _latest;

        public SettleFilter(long settleMs)
        {
            _settleMs = settleMs < 0 ? 0 : settleMs;
        }

        public override void Input(bool level, long nowMs)
        {
            _latest = level;
            if (_settling)
            {
                // Any change restarts the quiet period.
                _settledAtMs = nowMs + _settleMs;
                return;
            }

            if (level != Output)
            {
                Emit(level, nowMs);
                _settling = true;
                _settledAtMs = nowMs + _settleMs;
            }
        }

        public override void Poll(long nowMs)
        {
            if (_settling && nowMs >= _settledAtMs)
            {
                _settling = false;
                if (_latest != Output)
                {
                    Emit(_latest, nowMs);
                    _settling = true;
                    _settledAtMs = nowMs + _settleMs;
                }
            }
        }

        public override void Prime(bool level)
        {
            _latest = level;
            base.Prime(level);
        }

        protected override void CancelPending()
        {
            _settling = false;
        }
    }
}

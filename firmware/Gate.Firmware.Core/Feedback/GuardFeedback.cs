using Gate.Contracts;

namespace Gate.Firmware.Feedback
{
    /// <summary>
    /// Chooses the pattern from what the guard needs to know, most urgent first: the progress of the latched
    /// life-safety alarm (sending, received, police acknowledged), then drill, then trouble, then idle. The
    /// pattern restarts from its beginning when it changes, so the first flash is never cut short.
    /// </summary>
    public sealed class GuardFeedback
    {
        private FeedbackPattern _pattern = FeedbackPatterns.Idle;
        private long _startedAtMs;
        private bool _led;
        private bool _buzzer;

        public FeedbackPattern Pattern { get { return _pattern; } }

        public bool Led { get { return _led; } }

        public bool Buzzer { get { return _buzzer; } }

        /// <param name="alarmStage">Null when no life-safety alarm is latched; "" while it is not yet received; else the AckStage word reached.</param>
        /// <param name="silent">The latched alarm is silent (no local sound).</param>
        /// <returns>True when the pattern changed.</returns>
        public bool Update(string alarmStage, bool silent, bool drill, bool trouble, long nowMs)
        {
            FeedbackPattern next = Choose(alarmStage, drill, trouble);
            bool changed = next != _pattern;
            if (changed)
            {
                _pattern = next;
                _startedAtMs = nowMs;
            }

            long elapsed = nowMs - _startedAtMs;
            _led = _pattern.LedAt(elapsed);
            _buzzer = !silent && _pattern.BuzzerAt(elapsed);
            return changed;
        }

        public static FeedbackPattern Choose(string alarmStage, bool drill, bool trouble)
        {
            if (alarmStage != null)
            {
                int rank = AckStage.Rank(alarmStage);
                if (rank >= 3) { return FeedbackPatterns.PoliceAck; }
                if (rank >= 1) { return FeedbackPatterns.Received; }
                return FeedbackPatterns.Sending;
            }

            if (drill) { return FeedbackPatterns.Drill; }
            if (trouble) { return FeedbackPatterns.Trouble; }
            return FeedbackPatterns.Idle;
        }
    }
}

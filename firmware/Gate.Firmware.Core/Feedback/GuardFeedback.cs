namespace Gate.Firmware.Feedback
{
    /// <summary>
    /// Chooses the pattern from what the guard needs to know, most urgent first: the delivery of the alarms they
    /// raised (not at the police, sending, received, acknowledged; PoliceDeliveryWatch), then drill, then trouble,
    /// then idle. The pattern restarts from its beginning when it changes, so the first flash is never cut short.
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

        /// <param name="delivery">Where the guard's alarms stand; None when no pressed alarm is open.</param>
        /// <param name="silent">The latched alarm is silent (no local sound, not even "not at the police").</param>
        /// <returns>True when the pattern changed.</returns>
        public bool Update(DeliveryView delivery, bool silent, bool drill, bool trouble, long nowMs)
        {
            FeedbackPattern next = Choose(delivery, drill, trouble);
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

        public static FeedbackPattern Choose(DeliveryView delivery, bool drill, bool trouble)
        {
            if (delivery == DeliveryView.NotAtPolice) { return FeedbackPatterns.NotAtPolice; }
            if (delivery == DeliveryView.Sending) { return FeedbackPatterns.Sending; }
            if (delivery == DeliveryView.Received) { return FeedbackPatterns.Received; }
            if (delivery == DeliveryView.Acknowledged) { return FeedbackPatterns.PoliceAck; }

            if (drill) { return FeedbackPatterns.Drill; }
            if (trouble) { return FeedbackPatterns.Trouble; }
            return FeedbackPatterns.Idle;
        }
    }
}

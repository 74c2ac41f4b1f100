namespace Gate.Firmware.Connection
{
    /// <summary>
    /// Reconnect delays: exponential from Initial, capped at Max (about 2 minutes), with "equal jitter"
    /// (half fixed, half random) so a school district that lost its uplink does not return in one wave,
    /// yet no delay collapses to zero.
    /// </summary>
    public sealed class Backoff
    {
        public const long DefaultInitialMs = 1000;
        public const long DefaultMaxMs = 120000;

        private readonly long _initialMs;
        private readonly long _maxMs;
        private readonly Jitter _jitter;
        private int _failures;

        public Backoff(long initialMs, long maxMs, Jitter jitter)
        {
            _initialMs = initialMs <= 0 ? DefaultInitialMs : initialMs;
            _maxMs = maxMs < _initialMs ? _initialMs : maxMs;
            _jitter = jitter;
        }

        public int Failures { get { return _failures; } }

        public long MaxMs { get { return _maxMs; } }

        /// <summary>The ceiling before jitter for the next delay.</summary>
        public long CeilingMs
        {
            get
            {
                long d = _initialMs;
                for (int i = 0; i < _failures && d < _maxMs; i++)
                {
                    d *= 2;
                }

                return d > _maxMs ? _maxMs : d;
            }
        }

        /// <summary>Records a failure and returns how long to wait before the next attempt.</summary>
        public long NextDelayMs()
        {
            long ceiling = CeilingMs;
            _failures++;
            long half = ceiling / 2;
            return half + _jitter.Next(ceiling - half + 1);
        }

        public void Reset()
        {
            _failures = 0;
        }
    }
}

namespace Gate.Firmware.Feedback
{
    /// <summary>
    /// A light-and-sound pattern the guard learns: LED and buzzer each follow a list of durations,
    /// alternating on, off, on, off..., repeated. An empty list is off; a single element is steady on.
    /// </summary>
    public sealed class FeedbackPattern
    {
        private readonly int[] _led;
        private readonly int[] _buzzer;
        private readonly int _ledPeriod;
        private readonly int _buzzerPeriod;

        public FeedbackPattern(string name, int[] led, int[] buzzer)
        {
            Name = name;
            _led = led == null ? new int[0] : led;
            _buzzer = buzzer == null ? new int[0] : buzzer;
            _ledPeriod = Sum(_led);
            _buzzerPeriod = Sum(_buzzer);
        }

        public readonly string Name;

        public bool LedAt(long elapsedMs)
        {
            return At(_led, _ledPeriod, elapsedMs);
        }

        public bool BuzzerAt(long elapsedMs)
        {
            return At(_buzzer, _buzzerPeriod, elapsedMs);
        }

        private static bool At(int[] steps, int period, long elapsedMs)
        {
            if (steps.Length == 0 || period <= 0)
            {
                return false;
            }

            if (steps.Length == 1)
            {
                return true;
            }

            long t = elapsedMs % period;
            if (t < 0) { t += period; }
            for (int i = 0; i < steps.Length; i++)
            {
                if (t < steps[i])
                {
                    return (i % 2) == 0;
                }

                t -= steps[i];
            }

            return false;
        }

        private static int Sum(int[] steps)
        {
            int total = 0;
            for (int i = 0; i < steps.Length; i++)
            {
                total += steps[i];
            }

            return total;
        }
    }

    /// <summary>The guard's vocabulary. Distinct in rhythm, so they can be told apart without reading anything.</summary>
    public static class FeedbackPatterns
    {
        public const string IdleName = "idle";
        public const string SendingName = "sending";
        public const string ReceivedName = "received";
        public const string PoliceAckName = "police_ack";
        public const string NotAtPoliceName = "not_at_police";
        public const string TroubleName = "trouble";
        public const string DrillName = "drill";

        /// <summary>All quiet: a short blink every 5 s says the controller is alive.</summary>
        public static readonly FeedbackPattern Idle = new FeedbackPattern(IdleName, new int[] { 50, 4950 }, null);

        /// <summary>Alarm raised, server has not confirmed: fast flashing, a short beep every second.</summary>
        public static readonly FeedbackPattern Sending = new FeedbackPattern(SendingName, new int[] { 100, 100 }, new int[] { 80, 920 });

        /// <summary>The server stored it: slow flashing, no beeping.</summary>
        public static readonly FeedbackPattern Received = new FeedbackPattern(ReceivedName, new int[] { 500, 500 }, null);

        /// <summary>Police (or the duty officer) acknowledged: steady light, help is on its way.</summary>
        public static readonly FeedbackPattern PoliceAck = new FeedbackPattern(PoliceAckName, new int[] { 1 }, null);

        /// <summary>
        /// The server could not deliver it, or no police receiver answered in time: three quick flashes and two long
        /// beeps every 2 s. The guard calls 110 by phone. Unlike anything else, so it is never read as "received".
        /// </summary>
        public static readonly FeedbackPattern NotAtPolice = new FeedbackPattern(NotAtPoliceName, new int[] { 100, 100, 100, 100, 100, 1500 }, new int[] { 400, 200, 400, 1000 });

        /// <summary>Offline, invalid configuration or a wiring fault: double blink, a chirp every 30 s.</summary>
        public static readonly FeedbackPattern Trouble = new FeedbackPattern(TroubleName, new int[] { 150, 150, 150, 1550 }, new int[] { 50, 29950 });

        /// <summary>Drill mode: long-short, no sound, so it is never mistaken for the real thing.</summary>
        public static readonly FeedbackPattern Drill = new FeedbackPattern(DrillName, new int[] { 700, 300, 150, 850 }, null);
    }
}

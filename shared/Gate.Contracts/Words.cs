namespace Gate.Contracts
{
    // Enumerations travel as lower-case words. They are string constants rather than C# enums on purpose:
    // nanoFramework prints an enum's number from ToString and has no Enum.Parse, so a word table is the
    // only safe serialisation, and constants make that table the type itself.

    /// <summary>What an alarm is about. docs/protocol.md, "Alarm kinds".</summary>
    public static class AlarmKind
    {
        public const string Panic = "panic";
        public const string Duress = "duress";
        public const string SilentPanic = "silent_panic";
        public const string Tamper = "tamper";
        public const string WiringCut = "wiring_cut";
        public const string WiringShort = "wiring_short";
        public const string BollardFault = "bollard_fault";
        public const string BollardForced = "bollard_forced";
        public const string BarrierForced = "barrier_forced";
        public const string PowerLoss = "power_loss";
        public const string BatteryLow = "battery_low";
        public const string Drill = "drill";
        public const string PeriodicTest = "periodic_test";

        public static readonly string[] All =
        {
            Panic, Duress, SilentPanic, Tamper, WiringCut, WiringShort, BollardFault, BollardForced,
            BarrierForced, PowerLoss, BatteryLow, Drill, PeriodicTest,
        };

        public static bool IsKnown(string word) { return Words.Contains(All, word); }

        /// <summary>Drills and periodic tests prove the chain; they never ring like a real alarm.</summary>
        public static bool IsTest(string word) { return word == Drill || word == PeriodicTest; }

        /// <summary>Life-safety alarms: never dropped from a full outbox, shown first to the duty officer.</summary>
        public static bool IsLifeSafety(string word) { return word == Panic || word == Duress || word == SilentPanic; }

        /// <summary>Raised by a person pressing a button (panic, duress, or either in drill mode): every press is its own alarm, never folded into an open one.</summary>
        public static bool IsPress(string word) { return IsLifeSafety(word) || word == Drill; }
    }

    public static class AckStage
    {
        public const string Received = "received";
        public const string Forwarded = "forwarded";
        public const string PoliceAck = "police_ack";
        public const string OperatorAck = "operator_ack";
        public const string Failed = "failed";

        public static readonly string[] All = { Received, Forwarded, PoliceAck, OperatorAck, Failed };

        public static bool IsKnown(string word) { return Words.Contains(All, word); }

        /// <summary>Order of progress (AlarmStage.Rank, where the stage rules live). Failed ranks beside forwarded.</summary>
        public static int Rank(string word)
        {
            return AlarmStage.Rank(word);
        }
    }

    public static class BollardPosition
    {
        public const string Up = "up";
        public const string Down = "down";
        public const string Moving = "moving";
        public const string Fault = "fault";
        public const string Unknown = "unknown";
        public const string None = "none";

        public static readonly string[] All = { Up, Down, Moving, Fault, Unknown, None };

        public static bool IsKnown(string word) { return Words.Contains(All, word); }
    }

    public static class BarrierPosition
    {
        public const string Open = "open";
        public const string Closed = "closed";
        public const string Unknown = "unknown";
        public const string None = "none";

        public static readonly string[] All = { Open, Closed, Unknown, None };

        public static bool IsKnown(string word) { return Words.Contains(All, word); }
    }

    public static class PanicLoop
    {
        public const string Normal = "normal";
        public const string Latched = "latched";
        public const string Cut = "cut";
        public const string Short = "short";

        public static readonly string[] All = { Normal, Latched, Cut, Short };

        public static bool IsKnown(string word) { return Words.Contains(All, word); }
    }

    public static class DuressInput
    {
        public const string Normal = "normal";
        public const string Active = "active";
        public const string None = "none";

        public static readonly string[] All = { Normal, Active, None };

        public static bool IsKnown(string word) { return Words.Contains(All, word); }
    }

    public static class ResetReason
    {
        public const string PowerOn = "power_on";
        public const string Brownout = "brownout";
        public const string Watchdog = "watchdog";
        public const string Software = "software";
        public const string Panic = "panic";
        public const string DeepSleep = "deep_sleep";
        public const string External = "external";
        public const string Unknown = "unknown";

        public static readonly string[] All = { PowerOn, Brownout, Watchdog, Software, Panic, DeepSleep, External, Unknown };

        public static bool IsKnown(string word) { return Words.Contains(All, word); }
    }

    public static class CommandName
    {
        public const string RaiseBollard = "raise_bollard";
        public const string LowerBollard = "lower_bollard";
        public const string DrillOn = "drill_on";
        public const string DrillOff = "drill_off";
        public const string ResetLatch = "reset_latch";
        public const string Reboot = "reboot";
        public const string ReloadConfig = "reload_config";

        public static readonly string[] All = { RaiseBollard, LowerBollard, DrillOn, DrillOff, ResetLatch, Reboot, ReloadConfig };

        public static bool IsKnown(string word) { return Words.Contains(All, word); }
    }

    public static class CommandOutcome
    {
        public const string Ok = "ok";
        public const string Rejected = "rejected";
        public const string Failed = "failed";
        public const string UnknownCommand = "unknown_command";
        public const string Expired = "expired";

        public static readonly string[] All = { Ok, Rejected, Failed, UnknownCommand, Expired };

        public static bool IsKnown(string word) { return Words.Contains(All, word); }
    }

    /// <summary>Why a payload was rejected. Both decoders return the same word for the same input.</summary>
    public static class RejectReason
    {
        public const string Empty = "empty";
        public const string TooLarge = "too_large";
        public const string MalformedJson = "malformed_json";
        public const string UnsupportedVersion = "unsupported_version";
        public const string MissingField = "missing_field";
        public const string BadType = "bad_type";
        public const string BadValue = "bad_value";
    }

    internal static class Words
    {
        internal static bool Contains(string[] words, string word)
        {
            if (word == null)
            {
                return false;
            }

            for (int i = 0; i < words.Length; i++)
            {
                if (words[i] == word)
                {
                    return true;
                }
            }

            return false;
        }
    }
}

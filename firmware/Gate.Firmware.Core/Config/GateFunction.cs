namespace Gate.Firmware.Config
{
    /// <summary>
    /// The gate functions a board assigns pins to, with the names used in the board files
    /// (hardware/boards/*.json) and in the device configuration's "pins" overrides.
    /// </summary>
    public static class GateFunction
    {
        public const string Panic = "panic";
        public const string Duress = "duress";
        public const string PanicLoop = "panic_loop";
        public const string BollardUp = "bollard_up";
        public const string BollardDown = "bollard_down";
        public const string BollardFault = "bollard_fault";
        public const string BollardRelay = "bollard_relay";
        public const string BarrierOpen = "barrier_open";
        public const string BarrierRequest = "barrier_request";
        public const string Tamper = "tamper";
        public const string Mains = "mains";
        public const string Battery = "battery";
        public const string Led = "led";
        public const string Led2 = "led2";
        public const string Buzzer = "buzzer";

        public static readonly string[] All =
        {
            Panic, Duress, PanicLoop, BollardUp, BollardDown, BollardFault, BollardRelay, BarrierOpen,
            BarrierRequest, Tamper, Mains, Battery, Led, Led2, Buzzer,
        };

        public static bool IsKnown(string name)
        {
            for (int i = 0; i < All.Length; i++)
            {
                if (All[i] == name) { return true; }
            }

            return false;
        }

        public static bool IsOutput(string name)
        {
            return name == BollardRelay || name == Led || name == Led2 || name == Buzzer;
        }

        public static bool IsAnalog(string name)
        {
            return name == PanicLoop || name == Battery;
        }
    }
}

namespace Gate.Firmware
{
    /// <summary>
    /// The controller's pins: GPIO and ADC on the device, virtual pins on the host. The core samples the
    /// inputs in every Poll and conditions them itself, so the glue only reads and writes levels.
    /// </summary>
    public interface IGateIo
    {
        /// <summary>Raw electrical level: true = high.</summary>
        bool ReadDigital(int pin);

        /// <summary>Voltage at the pin in millivolts (the glue applies the ADC's calibration).</summary>
        int ReadMillivolts(int pin);

        void WriteDigital(int pin, bool high);
    }

    /// <summary>What the glue knows about the device that the core reports in the heartbeat.</summary>
    public sealed class DeviceIdentity
    {
        public string Firmware = "0.0.0";

        /// <summary>A ResetReason word.</summary>
        public string ResetReason = Gate.Contracts.ResetReason.Unknown;
    }

    /// <summary>Something the glue must do after a Poll: the core cannot reboot or reload by itself.</summary>
    public enum PendingAction
    {
        None = 0,
        Reboot = 1,
        ReloadConfig = 2,
    }
}

using Gate.Contracts;
using Gate.Contracts.Json;
using Gate.Firmware.Storage;

namespace Gate.Firmware.Esp32
{
    /// <summary>
    /// Why the last reset happened, as far as the firmware knows: a reboot it asked for leaves a record, so the
    /// next heartbeat says "software"; without one the reset came from outside (power, brownout, watchdog),
    /// which nanoFramework does not tell apart, so it reports "power_on".
    /// </summary>
    internal static class RebootRecord
    {
        private const string Name = "reset";

        public static void Save(IFlashStorage storage, string reason)
        {
            try
            {
                storage.Write(Name, Utf8Text.Encode(reason == null ? "software" : reason));
            }
            catch (System.Exception)
            {
                // Only the reset reason in the next heartbeat is lost.
            }
        }

        public static string TakeReason(IFlashStorage storage)
        {
            try
            {
                byte[] data = storage.Read(Name);
                if (data == null)
                {
                    return ResetReason.PowerOn;
                }

                storage.Delete(Name);
                return ResetReason.Software;
            }
            catch (System.Exception)
            {
                return ResetReason.Unknown;
            }
        }
    }
}

using Gate.Contracts.Json;

namespace Gate.Firmware.Storage
{
    /// <summary>
    /// The persisted boot counter. It is incremented and written before any alarm of this boot exists, which
    /// is what makes alarm ids ({device}.{boot}.{seq}) unique across reboots: a power cut after the write
    /// just skips a number.
    /// </summary>
    public static class BootCounter
    {
        public const string RecordName = "boot";

        /// <summary>Reads, increments and durably writes the counter; returns this boot's number (first boot = 1).</summary>
        public static int Increment(IFlashStorage storage)
        {
            return Increment(storage, 0);
        }

        /// <summary>
        /// As Increment, but never below minimum: the caller passes one more than the highest boot found in
        /// the outbox, so a lost or corrupted stored counter cannot make an alarm id repeat.
        /// </summary>
        public static int Increment(IFlashStorage storage, int minimum)
        {
            int previous = Read(storage);
            int next = previous >= int.MaxValue - 1 ? 1 : previous + 1;
            if (next < minimum)
            {
                next = minimum;
            }

            storage.Write(RecordName, Utf8Text.Encode(next.ToString()));
            return next;
        }

        /// <summary>The last written counter, 0 when never written or unreadable.</summary>
        public static int Read(IFlashStorage storage)
        {
            byte[] data = storage.Read(RecordName);
            if (data == null || data.Length == 0 || data.Length > 10)
            {
                return 0;
            }

            long value = 0;
            for (int i = 0; i < data.Length; i++)
            {
                byte b = data[i];
                if (b < (byte)'0' || b > (byte)'9')
                {
                    return 0;
                }

                value = (value * 10) + (b - (byte)'0');
            }

            return value > int.MaxValue ? 0 : (int)value;
        }
    }
}

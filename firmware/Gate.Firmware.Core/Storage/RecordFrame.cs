using System;

namespace Gate.Firmware.Storage
{
    /// <summary>
    /// How a entry sits in a flash file, and which file wins after a power cut. Portable so the device's
    /// InternalFlashStorage and the host's power-cut tests run the same decisions.
    ///
    /// A entry file is the payload followed by an 8-byte footer: length and CRC-32, little-endian. A write
    /// goes to "name.tmp", is flushed, then the old file is deleted and the temp file renamed. The flush is
    /// the moment the new entry is durable; the delete and rename after it are metadata that a flash file
    /// system may lose or apply out of order on a power cut.
    /// </summary>
    public static class RecordFrame
    {
        public const string TempSuffix = ".tmp";
        public const int FooterLength = 8;

        public static byte[] Wrap(byte[] data)
        {
            byte[] result = new byte[data.Length + FooterLength];
            Array.Copy(data, result, data.Length);
            PutUInt(result, data.Length, (uint)data.Length);
            PutUInt(result, data.Length + 4, Crc32(data, data.Length));
            return result;
        }

        /// <summary>The payload, or null when raw is torn, erased or not a framed entry.</summary>
        public static byte[] Unwrap(byte[] raw)
        {
            if (raw == null || raw.Length < FooterLength)
            {
                return null;
            }

            int length = raw.Length - FooterLength;
            if (GetUInt(raw, length) != (uint)length || GetUInt(raw, length + 4) != Crc32(raw, length))
            {
                return null;
            }

            byte[] data = new byte[length];
            Array.Copy(raw, data, length);
            return data;
        }

        /// <summary>
        /// At mount, for a leftover "name.tmp": true when it must replace the target (then delete the target
        /// and rename the temp file), false when it must be deleted. A temp file whose footer checks was
        /// flushed whole after the target was last written, so it is the newer entry even when the target
        /// still exists: the power failed before the delete or the rename reached the flash. Keeping the
        /// target instead would undo a write that had returned (a boot counter going back, a reset latch
        /// coming back).
        /// </summary>
        public static bool ShouldPromote(byte[] tempRaw)
        {
            return Unwrap(tempRaw) != null;
        }

        public static uint Crc32(byte[] data, int length)
        {
            uint crc = 0xFFFFFFFF;
            for (int i = 0; i < length; i++)
            {
                crc ^= data[i];
                for (int k = 0; k < 8; k++)
                {
                    crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
                }
            }

            return ~crc;
        }

        private static void PutUInt(byte[] b, int at, uint v)
        {
            b[at] = (byte)v;
            b[at + 1] = (byte)(v >> 8);
            b[at + 2] = (byte)(v >> 16);
            b[at + 3] = (byte)(v >> 24);
        }

        private static uint GetUInt(byte[] b, int at)
        {
            return (uint)(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24));
        }
    }
}

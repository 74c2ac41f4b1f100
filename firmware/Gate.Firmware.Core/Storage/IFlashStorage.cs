namespace Gate.Firmware.Storage
{
    /// <summary>
    /// Small named files on persistent storage (the ESP32's internal flash file system on the device, a
    /// folder or memory on the host).
    ///
    /// Contract every implementation keeps:
    /// - Write is atomic: after a power cut during Write, Read returns either the old entry or the new one,
    ///   never a torn mix (the flash implementation writes "name.tmp" framed by RecordFrame, flushes, deletes
    ///   the old file and renames; on start a leftover ".tmp" whose frame checks replaces its target, any other
    ///   is deleted). PowerCutTests cut the power at every step of that protocol.
    /// - When Write returns, the entry is durable.
    /// - Names are 1..24 characters of a-z, 0-9, '.', '-' and '_' (LittleFS/FAT-safe).
    /// - Read of a missing entry returns null; Delete of a missing entry does nothing.
    /// Implementations throw on a storage failure; the core catches it and reports trouble.
    /// </summary>
    public interface IFlashStorage
    {
        byte[] Read(string name);

        void Write(string name, byte[] data);

        void Delete(string name);

        /// <summary>Names of the files that start with prefix, in any order.</summary>
        string[] List(string prefix);
    }

    public static class RecordName
    {
        public const int MaxLength = 24;

        public static bool IsValid(string name)
        {
            if (name == null || name.Length == 0 || name.Length > MaxLength)
            {
                return false;
            }

            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
                if (!ok)
                {
                    return false;
                }
            }

            return !name.EndsWith(".tmp");
        }
    }
}

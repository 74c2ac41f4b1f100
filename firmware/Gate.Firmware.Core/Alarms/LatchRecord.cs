using Gate.Contracts.Json;
using Gate.Firmware.Storage;

namespace Gate.Firmware.Alarms
{
    /// <summary>
    /// A latched panic or duress survives a reboot: only the server may reset it. Persisted as one short
    /// text entry "id;count;drill" per button.
    /// </summary>
    public static class LatchRecord
    {
        public static void Save(IFlashStorage storage, string name, string alarmId, int count, bool drill)
        {
            if (alarmId == null)
            {
                storage.Delete(name);
                return;
            }

            string text = alarmId + ";" + count.ToString() + ";" + (drill ? "1" : "0");
            storage.Write(name, Utf8Text.Encode(text));
        }

        /// <summary>False when nothing is latched (or the stored latch is unreadable).</summary>
        public static bool TryLoad(IFlashStorage storage, string name, out string alarmId, out int count, out bool drill)
        {
            alarmId = null;
            count = 0;
            drill = false;
            byte[] data = storage.Read(name);
            if (data == null || data.Length == 0 || data.Length > 100)
            {
                return false;
            }

            string text;
            if (!Utf8Text.TryDecode(data, 0, data.Length, out text))
            {
                return false;
            }

            int a = text.IndexOf(';');
            int b = a < 0 ? -1 : text.IndexOf(';', a + 1);
            if (a <= 0 || b < 0)
            {
                return false;
            }

            alarmId = text.Substring(0, a);
            string countText = text.Substring(a + 1, b - a - 1);
            for (int i = 0; i < countText.Length && i < 9; i++)
            {
                if (countText[i] < '0' || countText[i] > '9') { break; }
                count = (count * 10) + (countText[i] - '0');
            }

            if (count < 1) { count = 1; }
            drill = text.Substring(b + 1) == "1";
            return true;
        }
    }
}

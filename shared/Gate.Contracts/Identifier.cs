namespace Gate.Contracts
{
    /// <summary>
    /// School, device and command identifiers: 1..32 of a-z, 0-9, '-', not starting with '-'.
    /// Narrow on purpose: they become MQTT topic levels and usernames, so no wildcard, slash or space can hide in one.
    /// </summary>
    public static class Identifier
    {
        public static bool IsValid(string value)
        {
            return IsValid(value, Limits.MaxIdentifierLength);
        }

        public static bool IsValid(string value, int maxLength)
        {
            if (value == null || value.Length == 0 || value.Length > maxLength)
            {
                return false;
            }

            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0);
                if (!ok)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Alarm id: {device}.{boot}.{seq}, at most 64 characters.</summary>
        public static string AlarmId(string device, int boot, int seq)
        {
            return device + "." + boot.ToString() + "." + seq.ToString();
        }

        public static bool IsValidAlarmId(string value)
        {
            if (value == null || value.Length == 0 || value.Length > Limits.MaxAlarmIdLength)
            {
                return false;
            }

            int firstDot = value.IndexOf('.');
            if (firstDot <= 0)
            {
                return false;
            }

            int secondDot = value.IndexOf('.', firstDot + 1);
            if (secondDot < 0 || value.IndexOf('.', secondDot + 1) >= 0)
            {
                return false;
            }

            return IsValid(value.Substring(0, firstDot))
                && IsDigits(value, firstDot + 1, secondDot)
                && IsDigits(value, secondDot + 1, value.Length);
        }

        private static bool IsDigits(string value, int start, int end)
        {
            if (end <= start || end - start > 10)
            {
                return false;
            }

            for (int i = start; i < end; i++)
            {
                if (value[i] < '0' || value[i] > '9')
                {
                    return false;
                }
            }

            return true;
        }
    }
}

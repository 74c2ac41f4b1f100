using System;
using System.Collections;
using Gate.Contracts.Json;

namespace Gate.Contracts
{
    /// <summary>
    /// Reads the fields of one parsed payload in the order docs/protocol.md lists them and keeps the first
    /// rejection ("reason:field"). After a rejection every read returns a default, so a decoder can read all its
    /// fields unconditionally and check <see cref="Error"/> once at the end. The server's WireDecoder applies the
    /// same rules independently; the shared test vectors hold the two together.
    /// </summary>
    internal sealed class WireFields
    {
        private readonly Hashtable _root;
        private Hashtable _current;
        private string _prefix = string.Empty;

        internal WireFields(Hashtable root)
        {
            _root = root;
            _current = root;
        }

        /// <summary>The first rejection, or null.</summary>
        internal string Error;

        internal bool Failed
        {
            get { return Error != null; }
        }

        /// <summary>Moves into a required nested object; false (and a rejection) if it is missing or not an object.</summary>
        internal bool Enter(string name)
        {
            object value = Get(name, true);
            if (value == null)
            {
                return false;
            }

            Hashtable nested = value as Hashtable;
            if (nested == null)
            {
                return Reject(RejectReason.BadType, name);
            }

            _current = nested;
            _prefix = _prefix + name + ".";
            return true;
        }

        internal void Leave()
        {
            _current = _root;
            _prefix = string.Empty;
        }

        internal string Id(string name)
        {
            string s = Text(name, true);
            if (s != null && !Identifier.IsValid(s))
            {
                Reject(RejectReason.BadValue, name);
                return null;
            }

            return s;
        }

        internal string AlarmId(string name)
        {
            string s = Text(name, true);
            if (s != null && !Identifier.IsValidAlarmId(s))
            {
                Reject(RejectReason.BadValue, name);
                return null;
            }

            return s;
        }

        /// <summary>A word from a table; returns the table's own instance of it.</summary>
        internal string Word(string name, string[] table)
        {
            string s = Text(name, true);
            if (s == null)
            {
                return null;
            }

            for (int i = 0; i < table.Length; i++)
            {
                if (table[i] == s)
                {
                    return table[i];
                }
            }

            Reject(RejectReason.BadValue, name);
            return null;
        }

        /// <summary>Free text: 1..maxLength UTF-16 code units, no control characters below U+0020.</summary>
        internal string String(string name, int maxLength, bool required)
        {
            string s = Text(name, required);
            if (s == null)
            {
                return null;
            }

            bool ok = s.Length >= 1 && s.Length <= maxLength;
            for (int i = 0; ok && i < s.Length; i++)
            {
                if (s[i] < ' ')
                {
                    ok = false;
                }
            }

            if (!ok)
            {
                Reject(RejectReason.BadValue, name);
                return null;
            }

            return s;
        }

        internal long Int64(string name, long min, long max, bool required, long fallback)
        {
            object value = Get(name, required);
            if (value == null)
            {
                return fallback;
            }

            if (!(value is long))
            {
                Reject(RejectReason.BadType, name);
                return fallback;
            }

            long n = (long)value;
            if (n < min || n > max)
            {
                Reject(RejectReason.BadValue, name);
                return fallback;
            }

            return n;
        }

        internal int Int32(string name, int min, int max, bool required, int fallback)
        {
            return (int)Int64(name, min, max, required, fallback);
        }

        internal bool Bool(string name, bool required, bool fallback)
        {
            object value = Get(name, required);
            if (value == null)
            {
                return fallback;
            }

            if (!(value is bool))
            {
                Reject(RejectReason.BadType, name);
                return fallback;
            }

            return (bool)value;
        }

        /// <summary>A required time; when nullAllowed, JSON null gives UtcTime.NotSet.</summary>
        internal DateTime Time(string name, bool nullAllowed)
        {
            object value = Get(name, true);
            if (value == null)
            {
                return UtcTime.NotSet;
            }

            if (JsonReader.IsNull(value) && nullAllowed)
            {
                return UtcTime.NotSet;
            }

            if (value is JsonNulText)
            {
                Reject(RejectReason.BadValue, name);
                return UtcTime.NotSet;
            }

            string s = value as string;
            if (s == null)
            {
                Reject(RejectReason.BadType, name);
                return UtcTime.NotSet;
            }

            DateTime t;
            if (!UtcTime.TryParse(s, out t))
            {
                Reject(RejectReason.BadValue, name);
                return UtcTime.NotSet;
            }

            return t;
        }

        private string Text(string name, bool required)
        {
            object value = Get(name, required);
            if (value == null)
            {
                return null;
            }

            // A string holding U+0000 is a string of the wrong value, never of the wrong type: the server sees the
            // NUL as a control character, which no string field allows.
            if (value is JsonNulText)
            {
                Reject(RejectReason.BadValue, name);
                return null;
            }

            string s = value as string;
            if (s == null)
            {
                Reject(RejectReason.BadType, name);
            }

            return s;
        }

        /// <summary>The raw value, or C# null when absent (a rejection if required) or after an earlier rejection.</summary>
        private object Get(string name, bool required)
        {
            if (Error != null)
            {
                return null;
            }

            object value = _current[name];
            if (value == null && required)
            {
                Reject(RejectReason.MissingField, name);
            }

            return value;
        }

        private bool Reject(string reason, string name)
        {
            if (Error == null)
            {
                Error = reason + ":" + _prefix + name;
            }

            return false;
        }
    }
}

using System.Collections;
using Gate.Contracts.Json;

namespace Gate.Firmware.Config
{
    /// <summary>
    /// Reads fields of a parsed configuration object and keeps the first problem as a sentence that names
    /// the field ("broker.port must be 1..65535, got 0"), because a technician reads it off the status page.
    /// After a problem every read returns its default, so a parser reads everything and checks Error once.
    /// </summary>
    internal sealed class ConfigFields
    {
        private readonly Hashtable _object;
        private readonly string _path;
        private readonly ConfigFields _root;
        private string _error;

        internal ConfigFields(Hashtable obj)
        {
            _object = obj;
            _path = string.Empty;
            _root = this;
        }

        private ConfigFields(Hashtable obj, string path, ConfigFields root)
        {
            _object = obj;
            _path = path;
            _root = root;
        }

        internal string Error { get { return _root._error; } }

        internal bool Failed { get { return _root._error != null; } }

        internal bool Has(string name)
        {
            object v = _object == null ? null : _object[name];
            return v != null && !JsonReader.IsNull(v);
        }

        internal void Fail(string message)
        {
            if (_root._error == null)
            {
                _root._error = message;
            }
        }

        internal string Name(string field)
        {
            return _path + field;
        }

        /// <summary>A nested object; an empty reader when absent (all defaults), null after a problem.</summary>
        internal ConfigFields Object(string name, bool required)
        {
            object v = Value(name, required);
            if (v == null)
            {
                return new ConfigFields(null, _path + name + ".", _root);
            }

            Hashtable h = v as Hashtable;
            if (h == null)
            {
                Fail(Name(name) + " must be an object");
                return new ConfigFields(null, _path + name + ".", _root);
            }

            return new ConfigFields(h, _path + name + ".", _root);
        }

        internal Hashtable RawObject { get { return _object; } }

        internal string String(string name, bool required, string fallback, int maxLength)
        {
            object v = Value(name, required);
            if (v == null)
            {
                return fallback;
            }

            string s = v as string;
            if (s == null)
            {
                Fail(Name(name) + " must be a string");
                return fallback;
            }

            if ((required && s.Length == 0) || s.Length > maxLength)
            {
                Fail(Name(name) + " must be 1.." + maxLength.ToString() + " characters");
                return fallback;
            }

            return s;
        }

        internal long Integer(string name, bool required, long fallback, long min, long max)
        {
            object v = Value(name, required);
            if (v == null)
            {
                return fallback;
            }

            if (!(v is long))
            {
                Fail(Name(name) + " must be a whole number");
                return fallback;
            }

            long n = (long)v;
            if (n < min || n > max)
            {
                Fail(Name(name) + " must be " + min.ToString() + ".." + max.ToString() + ", got " + n.ToString());
                return fallback;
            }

            return n;
        }

        internal double Number(string name, double fallback, double min, double max)
        {
            object v = Value(name, false);
            if (v == null)
            {
                return fallback;
            }

            double d;
            if (v is long) { d = (long)v; }
            else if (v is double) { d = (double)v; }
            else
            {
                Fail(Name(name) + " must be a number");
                return fallback;
            }

            if (d < min || d > max)
            {
                Fail(Name(name) + " is out of range");
                return fallback;
            }

            return d;
        }

        internal bool Bool(string name, bool fallback)
        {
            object v = Value(name, false);
            if (v == null)
            {
                return fallback;
            }

            if (!(v is bool))
            {
                Fail(Name(name) + " must be true or false");
                return fallback;
            }

            return (bool)v;
        }

        internal string[] Strings(string name)
        {
            object v = Value(name, false);
            if (v == null)
            {
                return null;
            }

            ArrayList list = v as ArrayList;
            if (list == null)
            {
                Fail(Name(name) + " must be a list of strings");
                return null;
            }

            string[] result = new string[list.Count];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = list[i] as string;
                if (result[i] == null)
                {
                    Fail(Name(name) + "[" + i.ToString() + "] must be a string");
                    return null;
                }
            }

            return result;
        }

        /// <summary>The raw value, or null when absent or JSON null (reported when required).</summary>
        internal object Value(string name, bool required)
        {
            object v = _object == null ? null : _object[name];
            if (v == null || JsonReader.IsNull(v))
            {
                if (required)
                {
                    Fail(Name(name) + " is required");
                }

                return null;
            }

            return v;
        }

        internal static bool TryParseObject(string json, string what, out Hashtable obj, out string error)
        {
            obj = null;
            object parsed;
            string parseError = "empty";
            if (json == null || !JsonReader.TryParse(json, 16, out parsed, out parseError))
            {
                error = what + " is not valid JSON: " + parseError;
                return false;
            }

            obj = parsed as Hashtable;
            if (obj == null)
            {
                error = what + " must be a JSON object";
                return false;
            }

            error = null;
            return true;
        }
    }
}

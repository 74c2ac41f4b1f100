namespace Gate.Firmware.Connection
{
    /// <summary>
    /// A small deterministic random source (xorshift32). Seeded per device so that a thousand controllers
    /// that lost power together do not reconnect or send heartbeats in step, and so tests replay exactly.
    /// </summary>
    public sealed class Jitter
    {
        private uint _state;

        public Jitter(int seed)
        {
            _state = (uint)seed;
            if (_state == 0)
            {
                _state = 0x9E3779B9;
            }
        }

        /// <summary>A seed from a device id (FNV-1a), so each device differs but stays the same across boots.</summary>
        public static int SeedFrom(string text, int salt)
        {
            uint hash = 2166136261;
            if (text != null)
            {
                for (int i = 0; i < text.Length; i++)
                {
                    hash ^= text[i];
                    hash *= 16777619;
                }
            }

            hash ^= (uint)salt;
            hash *= 16777619;
            return (int)hash;
        }

        public uint NextUInt()
        {
            uint x = _state;
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            _state = x;
            return x;
        }

        /// <summary>0 &lt;= result &lt; maxExclusive (0 when maxExclusive &lt;= 0).</summary>
        public long Next(long maxExclusive)
        {
            if (maxExclusive <= 0)
            {
                return 0;
            }

            return (long)(NextUInt() % (ulong)maxExclusive);
        }
    }
}

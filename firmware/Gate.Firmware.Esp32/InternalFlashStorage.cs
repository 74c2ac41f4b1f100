using System;
using System.Collections;
using System.IO;
using Gate.Firmware.Storage;

namespace Gate.Firmware.Esp32
{
    /// <summary>
    /// IFlashStorage over the ESP32's internal flash file system (drive I:). Atomic write as the core requires:
    /// write "name.tmp" with a length + CRC-32 footer and flush, delete the old file, rename (nanoFramework's
    /// File.Move refuses an existing target). At start a ".tmp" is promoted when its target is missing and its
    /// footer checks (power failed between delete and rename), else deleted (power failed while writing it).
    /// </summary>
    public sealed class InternalFlashStorage : IFlashStorage
    {
        public const string InternalDrive = "I:\\";
        private const string TempSuffix = ".tmp";
        private readonly string _root;
        private readonly object _lock = new object();

        public InternalFlashStorage(string root)
        {
            _root = root;
            Recover();
        }

        public byte[] Read(string name)
        {
            lock (_lock)
            {
                string path = _root + name;
                if (!File.Exists(path))
                {
                    return null;
                }

                byte[] raw = ReadAll(path);
                byte[] payload = Unwrap(raw);
                // gate.json and board.json are deployed by nanoff without a footer: take them as they are.
                return payload != null ? payload : raw;
            }
        }

        public void Write(string name, byte[] data)
        {
            lock (_lock)
            {
                string path = _root + name;
                string tmp = path + TempSuffix;
                using (FileStream stream = new FileStream(tmp, FileMode.Create, FileAccess.Write))
                {
                    byte[] wrapped = Wrap(data);
                    stream.Write(wrapped, 0, wrapped.Length);
                    stream.Flush();
                }

                if (File.Exists(path))
                {
                    File.Delete(path);
                }

                File.Move(tmp, path);
            }
        }

        public void Delete(string name)
        {
            lock (_lock)
            {
                File.Delete(_root + name);
            }
        }

        public string[] List(string prefix)
        {
            lock (_lock)
            {
                string[] files = Directory.GetFiles(_root);
                ArrayList names = new ArrayList();
                for (int i = 0; i < files.Length; i++)
                {
                    string name = Path.GetFileName(files[i]);
                    if (name.StartsWith(prefix) && !name.EndsWith(TempSuffix))
                    {
                        names.Add(name);
                    }
                }

                return (string[])names.ToArray(typeof(string));
            }
        }

        private void Recover()
        {
            string[] files = Directory.GetFiles(_root);
            for (int i = 0; i < files.Length; i++)
            {
                string tmp = files[i];
                if (!tmp.EndsWith(TempSuffix))
                {
                    continue;
                }

                string target = tmp.Substring(0, tmp.Length - TempSuffix.Length);
                if (!File.Exists(target) && Unwrap(ReadAll(tmp)) != null)
                {
                    File.Move(tmp, target);
                }
                else
                {
                    File.Delete(tmp);
                }
            }
        }

        private static byte[] ReadAll(string path)
        {
            using (FileStream stream = new FileStream(path, FileMode.Open, FileAccess.Read))
            {
                byte[] data = new byte[(int)stream.Length];
                int read = 0;
                while (read < data.Length)
                {
                    int n = stream.Read(data, read, data.Length - read);
                    if (n <= 0)
                    {
                        break;
                    }

                    read += n;
                }

                return data;
            }
        }

        // Footer: 4 bytes length, 4 bytes CRC-32, little-endian.
        private static byte[] Wrap(byte[] data)
        {
            byte[] result = new byte[data.Length + 8];
            Array.Copy(data, result, data.Length);
            PutUInt(result, data.Length, (uint)data.Length);
            PutUInt(result, data.Length + 4, Crc32(data, data.Length));
            return result;
        }

        private static byte[] Unwrap(byte[] raw)
        {
            if (raw == null || raw.Length < 8)
            {
                return null;
            }

            int length = raw.Length - 8;
            if (GetUInt(raw, length) != (uint)length || GetUInt(raw, length + 4) != Crc32(raw, length))
            {
                return null;
            }

            byte[] data = new byte[length];
            Array.Copy(raw, data, length);
            return data;
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

        private static uint Crc32(byte[] data, int length)
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
    }
}

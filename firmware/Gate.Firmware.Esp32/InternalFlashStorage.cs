using System;
using System.Collections;
using System.IO;
using Gate.Firmware.Storage;

namespace Gate.Firmware.Esp32
{
    /// <summary>
    /// IFlashStorage over the ESP32's internal flash file system (drive I:). Atomic write as the core requires:
    /// write "name.tmp" with RecordFrame's length + CRC-32 footer and flush, delete the old file, rename
    /// (nanoFramework's File.Move refuses an existing target). At start a ".tmp" whose footer checks replaces
    /// its target, present or not (it was flushed whole, so it is newer: the power failed before the delete or
    /// the rename reached the flash), else it is deleted (the power failed while writing it). The host's
    /// PowerCutTests run this protocol with a cut at every step.
    /// </summary>
    public sealed class InternalFlashStorage : IFlashStorage
    {
        public const string InternalDrive = "I:\\";
        private const string TempSuffix = RecordFrame.TempSuffix;
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
                byte[] payload = RecordFrame.Unwrap(raw);
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
                    byte[] wrapped = RecordFrame.Wrap(data);
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
                if (RecordFrame.ShouldPromote(ReadAll(tmp)))
                {
                    if (File.Exists(target))
                    {
                        File.Delete(target);
                    }

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
    }
}

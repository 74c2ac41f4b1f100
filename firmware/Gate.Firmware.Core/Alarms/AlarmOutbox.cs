using System;
using System.Collections;
using Gate.Contracts;
using Gate.Firmware.Storage;

namespace Gate.Firmware.Alarms
{
    /// <summary>
    /// Every alarm, persisted before it is first published and re-sent until the server's application-level
    /// "received" ack arrives (MQTT QoS 1 only proves the broker got it, not that the server stored it).
    /// Survives reboot: Load() re-reads the saved entries and re-sends them with the same ids and bytes.
    ///
    /// Bounded at Capacity. When full, room is made by dropping, in order: drills and periodic tests, then
    /// restores, then the oldest other non-life-safety alarm. A life-safety alarm (panic, duress,
    /// silent_panic) is never dropped and never refused: the outbox grows past Capacity for it, limited only
    /// by the flash. Heartbeats and state updates are never queued at all (they give way first: the next one
    /// carries newer news).
    /// </summary>
    public sealed class AlarmOutbox
    {
        public const string RecordPrefix = "al";
        public const int DefaultCapacity = 64;
        public const int FirstResendMs = 5000;
        public const int MaxResendMs = 60000;

        private static readonly OutboxEntry[] NothingDue = new OutboxEntry[0];

        private readonly IFlashStorage _storage;
        private readonly int _capacity;
        private readonly ArrayList _entries = new ArrayList();
        private int _dropped;
        private int _storageFailures;

        /// <summary>Writes or deletes that failed since boot (the controller shows trouble).</summary>
        public int StorageFailures { get { return _storageFailures; } }

        public string LastStorageError;

        public AlarmOutbox(IFlashStorage storage, int capacity)
        {
            _storage = storage;
            _capacity = capacity < 1 ? DefaultCapacity : capacity;
        }

        public int Count { get { return _entries.Count; } }

        public int Capacity { get { return _capacity; } }

        /// <summary>Non-life-safety alarms dropped to make room since boot.</summary>
        public int Dropped { get { return _dropped; } }

        /// <summary>Record names for alarm ids: "al{boot}-{seq}" fits RecordName's 24 characters.</summary>
        public static string RecordNameFor(int boot, int seq)
        {
            return RecordPrefix + boot.ToString() + "-" + seq.ToString();
        }

        public OutboxEntry Get(int index)
        {
            return (OutboxEntry)_entries[index];
        }

        public OutboxEntry Find(string id)
        {
            for (int i = 0; i < _entries.Count; i++)
            {
                OutboxEntry e = (OutboxEntry)_entries[i];
                if (e.Id == id)
                {
                    return e;
                }
            }

            return null;
        }

        /// <summary>
        /// Re-reads persisted alarms after a boot. Unreadable entries are deleted (they cannot be sent, and a
        /// entry that fails to decode would otherwise block the outbox forever); returns how many.
        /// Also returns, through highestBoot, the largest boot number seen, so a lost boot counter can never
        /// make an id repeat.
        /// </summary>
        public int Load(out int highestBoot)
        {
            highestBoot = 0;
            _entries.Clear();
            int discarded = 0;
            string[] names = _storage.List(RecordPrefix);
            for (int i = 0; i < names.Length; i++)
            {
                byte[] payload = _storage.Read(names[i]);
                Alarm alarm;
                string error;
                if (payload == null || !WireCodec.TryDecodeAlarm(payload, out alarm, out error))
                {
                    _storage.Delete(names[i]);
                    discarded++;
                    continue;
                }

                if (alarm.BootCount > highestBoot)
                {
                    highestBoot = alarm.BootCount;
                }

                InsertOrdered(new OutboxEntry(alarm, payload, names[i]));
            }

            return discarded;
        }

        /// <summary>
        /// Persists a new alarm. Returns false only when a non-life-safety alarm finds the outbox full of
        /// life-safety alarms. Throws if the storage fails: the caller must treat that as trouble.
        /// </summary>
        public bool Add(Alarm alarm, long nowMs)
        {
            bool lifeSafety = AlarmKind.IsLifeSafety(alarm.Kind);
            if (_entries.Count >= _capacity)
            {
                int victim = FindVictim();
                if (victim < 0 && !lifeSafety)
                {
                    _dropped++;
                    return false;
                }

                if (victim >= 0)
                {
                    OutboxEntry gone = (OutboxEntry)_entries[victim];
                    _entries.RemoveAt(victim);
                    _storage.Delete(gone.RecordName);
                    _dropped++;
                }
            }

            byte[] payload = WireCodec.EncodeAlarm(alarm);
            string name = RecordNameFor(alarm.BootCount, alarm.Sequence);
            try
            {
                _storage.Write(name, payload);
            }
            catch (Exception ex)
            {
                // Flash failing is trouble to report, but the alarm still goes out from memory:
                // refusing to send it would turn a storage fault into a lost panic.
                _storageFailures++;
                LastStorageError = ex.Message;
            }

            OutboxEntry entry = new OutboxEntry(alarm, payload, name);
            entry.NextSendMs = nowMs;
            _entries.Add(entry);
            return true;
        }

        /// <summary>
        /// Dates alarms of this boot that were raised before the clock was set, from their uptime, once the
        /// clock is known; alarms of earlier boots keep ts null (their uptime belongs to another boot).
        /// </summary>
        public int FillTimestamps(int boot, DateTime utcNow, long nowMs)
        {
            int filled = 0;
            for (int i = 0; i < _entries.Count; i++)
            {
                OutboxEntry e = (OutboxEntry)_entries[i];
                if (e.Alarm.BootCount != boot || e.Alarm.Timestamp != DateTime.MinValue || e.Alarm.UptimeMs > nowMs)
                {
                    continue;
                }

                e.Alarm.Timestamp = utcNow.AddMilliseconds(-(double)(nowMs - e.Alarm.UptimeMs));
                Rewrite(e);
                filled++;
            }

            return filled;
        }

        /// <summary>
        /// Entries to publish now, at most max (bounds what sits in the MQTT client's in-flight queue):
        /// life-safety first, then oldest first. Each returned entry is rescheduled with a growing interval.
        /// </summary>
        public OutboxEntry[] TakeDue(long nowMs, int max)
        {
            // Called on every Poll: when nothing is due (nearly always) it allocates nothing.
            bool any = false;
            for (int i = 0; i < _entries.Count && !any; i++)
            {
                any = ((OutboxEntry)_entries[i]).NextSendMs <= nowMs;
            }

            if (!any || max < 1)
            {
                return NothingDue;
            }

            ArrayList due = new ArrayList();
            for (int pass = 0; pass < 2 && due.Count < max; pass++)
            {
                for (int i = 0; i < _entries.Count && due.Count < max; i++)
                {
                    OutboxEntry e = (OutboxEntry)_entries[i];
                    if (e.IsLifeSafety != (pass == 0) || e.NextSendMs > nowMs)
                    {
                        continue;
                    }

                    due.Add(e);
                }
            }

            OutboxEntry[] result = new OutboxEntry[due.Count];
            for (int i = 0; i < result.Length; i++)
            {
                OutboxEntry e = (OutboxEntry)due[i];
                e.Attempts++;
                e.NextSendMs = nowMs + ResendDelayMs(e.Attempts);
                result[i] = e;
            }

            return result;
        }

        /// <summary>After a (re)connect everything waiting is due at once.</summary>
        public void MarkAllDue(long nowMs)
        {
            for (int i = 0; i < _entries.Count; i++)
            {
                ((OutboxEntry)_entries[i]).NextSendMs = nowMs;
            }
        }

        /// <summary>5 s, 10 s, 20 s, 40 s, then every 60 s.</summary>
        public static long ResendDelayMs(int attempts)
        {
            long delay = FirstResendMs;
            for (int i = 1; i < attempts && delay < MaxResendMs; i++)
            {
                delay *= 2;
            }

            return delay > MaxResendMs ? MaxResendMs : delay;
        }

        /// <summary>The server has stored the alarm: forget it. True if it was waiting.</summary>
        public bool Acknowledge(string id)
        {
            for (int i = 0; i < _entries.Count; i++)
            {
                OutboxEntry e = (OutboxEntry)_entries[i];
                if (e.Id == id)
                {
                    _entries.RemoveAt(i);
                    try
                    {
                        _storage.Delete(e.RecordName);
                    }
                    catch (Exception ex)
                    {
                        // Left on flash it is re-sent after a reboot, and the server de-duplicates by id.
                        _storageFailures++;
                        LastStorageError = ex.Message;
                    }

                    return true;
                }
            }

            return false;
        }

        private void Rewrite(OutboxEntry entry)
        {
            entry.Payload = WireCodec.EncodeAlarm(entry.Alarm);
            try
            {
                _storage.Write(entry.RecordName, entry.Payload);
            }
            catch (Exception ex)
            {
                _storageFailures++;
                LastStorageError = ex.Message;
            }
        }

        private int FindVictim()
        {
            int victim = FindFirst(true, false);
            if (victim < 0) { victim = FindFirst(false, true); }
            if (victim < 0) { victim = FindFirst(false, false); }
            return victim;
        }

        private int FindFirst(bool tests, bool restores)
        {
            for (int i = 0; i < _entries.Count; i++)
            {
                Alarm a = ((OutboxEntry)_entries[i]).Alarm;
                if (AlarmKind.IsLifeSafety(a.Kind))
                {
                    continue;
                }

                if (tests && !AlarmKind.IsTest(a.Kind)) { continue; }
                if (restores && !a.Restore) { continue; }
                return i;
            }

            return -1;
        }

        private void InsertOrdered(OutboxEntry entry)
        {
            int i = _entries.Count;
            while (i > 0)
            {
                Alarm other = ((OutboxEntry)_entries[i - 1]).Alarm;
                if (other.BootCount < entry.Alarm.BootCount
                    || (other.BootCount == entry.Alarm.BootCount && other.Sequence <= entry.Alarm.Sequence))
                {
                    break;
                }

                i--;
            }

            _entries.Insert(i, entry);
        }
    }
}

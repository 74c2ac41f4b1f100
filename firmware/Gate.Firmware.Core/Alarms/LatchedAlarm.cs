using System;
using Gate.Contracts;
using Gate.Firmware.Devices;
using Gate.Firmware.Feedback;
using Gate.Firmware.Storage;

namespace Gate.Firmware.Alarms
{
    /// <summary>
    /// One latching button the guard presses, panic or duress (the same rules, their own kind, zone and latch file).
    /// Every qualified press is its own alarm (own id, own acks, own place in the guard's light), also while the latch
    /// holds: a second press must reach the police even when the first never did. The latch follows the latest press
    /// and survives a reboot in its flash file; only the server's reset_latch (or the end of a drill) ends it.
    /// </summary>
    public sealed class LatchedAlarm
    {
        public const string PanicRecord = "latch-panic";
        public const string DuressRecord = "latch-duress";

        private readonly PanicButton _button;
        private readonly string _kind;
        private readonly int _zone;
        private readonly string _latchFile;
        private readonly IFlashStorage _storage;
        private readonly AlarmRaiser _raiser;
        private readonly PoliceDeliveryWatch _watch;
        private string _alarmId;
        private bool _isDrill;

        /// <param name="kind">The AlarmKind of a real press; a press in drill mode is a drill.</param>
        /// <param name="latchFile">The flash file that keeps the latch across a reboot.</param>
        public LatchedAlarm(PanicButton button, string kind, int zone, string latchFile, IFlashStorage storage, AlarmRaiser raiser, PoliceDeliveryWatch watch)
        {
            _button = button;
            _kind = kind;
            _zone = zone;
            _latchFile = latchFile;
            _storage = storage;
            _raiser = raiser;
            _watch = watch;
        }

        public bool Latched { get { return _button.Latched; } }

        public int PressCount { get { return _button.PressCount; } }

        /// <summary>The latest press's alarm while the latch holds; null when not latched.</summary>
        public string AlarmId { get { return _alarmId; } }

        /// <summary>The latch was set in drill mode: it ends with the drill.</summary>
        public bool IsDrill { get { return _isDrill; } }

        /// <summary>A real (not drill) alarm holds the latch.</summary>
        public bool HoldsRealAlarm { get { return _alarmId != null && !_isDrill; } }

        /// <summary>Feeds the conditioned level. True when the press raised an alarm.</summary>
        public bool Update(bool pressed, bool drillMode, long nowMs)
        {
            PressEvent e = _button.Update(pressed, nowMs);
            if (e == PressEvent.None)
            {
                return false;
            }

            if (e == PressEvent.Triggered)
            {
                // Drill or not is decided when the latch is set; later presses of the same latch follow it.
                _isDrill = drillMode;
            }

            Alarm a = _raiser.Raise(_isDrill ? AlarmKind.Drill : _kind, _zone, false, null, nowMs);
            _watch.Watch(a.Id, nowMs);
            Save(_storage, _latchFile, a.Id, _button.PressCount, _isDrill);
            _alarmId = a.Id;
            return true;
        }

        /// <summary>At boot: takes back a latch persisted before the reboot, and follows its alarm again.</summary>
        public void Restore(AlarmOutbox outbox, long nowMs)
        {
            string id;
            int count;
            bool drill;
            if (!LatchRecord.TryLoad(_storage, _latchFile, out id, out count, out drill))
            {
                return;
            }

            _button.RestoreLatch(count, nowMs);
            _alarmId = id;
            _isDrill = drill;
            // Still in the outbox: not yet received. Gone: the server had it before we rebooted; its later stage
            // comes again when the server re-sends the open alarms' stages on reconnect.
            if (outbox.Find(id) != null)
            {
                _watch.Watch(id, nowMs);
            }
            else
            {
                _watch.WatchStored(id, nowMs);
            }
        }

        /// <summary>Ends the latch (reset_latch, or the end of a drill) and forgets its latch file. The watch is the caller's.</summary>
        public void Reset()
        {
            _button.ResetLatch();
            _alarmId = null;
            Forget(_storage, _latchFile);
        }

        /// <summary>Deletes a latch file, also of a button no longer fitted, so a stale latch cannot come back.</summary>
        public static void Forget(IFlashStorage storage, string latchFile)
        {
            Save(storage, latchFile, null, 0, false);
        }

        private static void Save(IFlashStorage storage, string latchFile, string alarmId, int count, bool drill)
        {
            try
            {
                LatchRecord.Save(storage, latchFile, alarmId, count, drill);
            }
            catch (Exception)
            {
                // The latch still holds in memory; only its survival of a reboot is lost.
            }
        }
    }
}

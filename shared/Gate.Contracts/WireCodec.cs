using System;
using System.Collections;
using Gate.Contracts.Json;

namespace Gate.Contracts
{
    /// <summary>
    /// The firmware-side codec for every v1 payload (docs/protocol.md). Encoders write the fields in the order of
    /// the protocol tables, compact, optional fields only when they differ from their default, and a time that
    /// is not set (<see cref="UtcTime.IsSet"/>) as null. Decoders never throw: they return false and a rejection
    /// "reason" or "reason:field" (<see cref="RejectReason"/>), checking size, then JSON, then "v", then each
    /// field in table order, and reporting the first problem.
    /// </summary>
    public static class WireCodec
    {
        // ---- encoding ----

        public static byte[] EncodeHeartbeat(Heartbeat m)
        {
            JsonWriter w = Begin(320);
            w.Name("dev").String(m.Device);
            w.Name("seq").Number(m.Sequence);
            w.Name("up").Number(m.UptimeMs);
            WriteTime(w, m.Timestamp);
            w.Name("fw").String(m.Firmware);
            w.Name("boot").Number(m.BootCount);
            w.Name("reset").String(m.ResetReason);
            InputStates i = m.Inputs == null ? new InputStates() : m.Inputs;
            w.Name("in").BeginObject();
            w.Name("panic").String(i.Panic);
            w.Name("duress").String(i.Duress);
            w.Name("tamper").Bool(i.Tamper);
            w.Name("bollard").String(i.Bollard);
            w.Name("barrier").String(i.Barrier);
            w.EndObject();
            w.Name("mains").Bool(m.Mains);
            w.Name("batt_mv").Number(m.BatteryMillivolts);
            w.Name("outbox").Number(m.OutboxDepth);
            w.Name("heap").Number(m.FreeMemory);
            w.Name("rssi").Number(m.Rssi);
            w.Name("int_s").Number(m.IntervalSeconds);
            if (m.Drill)
            {
                w.Name("drill").Bool(true);
            }

            return End(w);
        }

        public static byte[] EncodeAlarm(Alarm m)
        {
            JsonWriter w = Begin(256);
            w.Name("id").String(m.Id);
            w.Name("dev").String(m.Device);
            w.Name("kind").String(m.Kind);
            w.Name("zone").Number(m.Zone);
            w.Name("seq").Number(m.Sequence);
            w.Name("boot").Number(m.BootCount);
            WriteTime(w, m.Timestamp);
            w.Name("up").Number(m.UptimeMs);
            w.Name("restore").Bool(m.Restore);
            if (m.Count != 1)
            {
                w.Name("count").Number(m.Count);
            }

            if (m.Detail != null && m.Detail.Length > 0)
            {
                w.Name("detail").String(m.Detail);
            }

            return End(w);
        }

        public static byte[] EncodeAck(AlarmAck m)
        {
            JsonWriter w = Begin(128);
            w.Name("id").String(m.Id);
            w.Name("stage").String(m.Stage);
            WriteTime(w, m.Timestamp);
            if (m.Path != null && m.Path.Length > 0)
            {
                w.Name("path").String(m.Path);
            }

            return End(w);
        }

        public static byte[] EncodeState(DeviceState m)
        {
            JsonWriter w = Begin(160);
            w.Name("dev").String(m.Device);
            w.Name("seq").Number(m.Sequence);
            WriteTime(w, m.Timestamp);
            w.Name("up").Number(m.UptimeMs);
            w.Name("bollard").String(m.Bollard);
            w.Name("barrier").String(m.Barrier);
            return End(w);
        }

        public static byte[] EncodeCommand(Command m)
        {
            JsonWriter w = Begin(128);
            w.Name("id").String(m.Id);
            w.Name("name").String(m.Name);
            WriteTime(w, m.Timestamp);
            if (m.TtlSeconds != Limits.DefaultCommandTtlSeconds)
            {
                w.Name("ttl_s").Number(m.TtlSeconds);
            }

            return End(w);
        }

        public static byte[] EncodeResult(CommandResult m)
        {
            JsonWriter w = Begin(160);
            w.Name("id").String(m.Id);
            w.Name("dev").String(m.Device);
            w.Name("result").String(m.Result);
            if (m.Detail != null && m.Detail.Length > 0)
            {
                w.Name("detail").String(m.Detail);
            }

            WriteTime(w, m.Timestamp);
            return End(w);
        }

        /// <summary>The plain-text availability payload: "online" or "offline".</summary>
        public static byte[] EncodeStatus(bool online)
        {
            return Utf8Text.Encode(online ? Topics.Online : Topics.Offline);
        }

        // ---- decoding ----

        public static bool TryDecodeHeartbeat(byte[] payload, out Heartbeat message, out string error)
        {
            message = null;
            WireFields f = Open(payload, out error);
            if (f == null)
            {
                return false;
            }

            Heartbeat m = new Heartbeat();
            m.Device = f.Id("dev");
            m.Sequence = f.Int64("seq", 0, long.MaxValue, true, 0);
            m.UptimeMs = f.Int64("up", 0, long.MaxValue, true, 0);
            m.Timestamp = f.Time("ts", true);
            m.Firmware = f.String("fw", Limits.MaxFirmwareLength, true);
            m.BootCount = f.Int32("boot", 0, int.MaxValue, true, 0);
            m.ResetReason = f.Word("reset", ResetReason.All);
            if (f.Enter("in"))
            {
                m.Inputs.Panic = f.Word("panic", PanicLoop.All);
                m.Inputs.Duress = f.Word("duress", DuressInput.All);
                m.Inputs.Tamper = f.Bool("tamper", true, false);
                m.Inputs.Bollard = f.Word("bollard", BollardPosition.All);
                m.Inputs.Barrier = f.Word("barrier", BarrierPosition.All);
                f.Leave();
            }

            m.Mains = f.Bool("mains", true, false);
            m.BatteryMillivolts = f.Int32("batt_mv", 0, int.MaxValue, true, 0);
            m.OutboxDepth = f.Int32("outbox", 0, int.MaxValue, true, 0);
            m.FreeMemory = f.Int32("heap", 0, int.MaxValue, true, 0);
            m.Rssi = f.Int32("rssi", Limits.MinRssi, 0, true, 0);
            m.IntervalSeconds = f.Int32("int_s", Limits.MinHeartbeatSeconds, Limits.MaxHeartbeatSeconds, true, 0);
            m.Drill = f.Bool("drill", false, false);
            if (f.Failed)
            {
                error = f.Error;
                return false;
            }

            message = m;
            return true;
        }

        public static bool TryDecodeAlarm(byte[] payload, out Alarm message, out string error)
        {
            message = null;
            WireFields f = Open(payload, out error);
            if (f == null)
            {
                return false;
            }

            Alarm m = new Alarm();
            m.Id = f.AlarmId("id");
            m.Device = f.Id("dev");
            m.Kind = f.Word("kind", AlarmKind.All);
            m.Zone = f.Int32("zone", 0, Limits.MaxZone, true, 0);
            m.Sequence = f.Int32("seq", 1, int.MaxValue, true, 0);
            m.BootCount = f.Int32("boot", 0, int.MaxValue, true, 0);
            m.Timestamp = f.Time("ts", true);
            m.UptimeMs = f.Int64("up", 0, long.MaxValue, true, 0);
            m.Restore = f.Bool("restore", true, false);
            m.Count = f.Int32("count", 1, int.MaxValue, false, 1);
            m.Detail = f.String("detail", Limits.MaxStringLength, false);
            if (f.Failed)
            {
                error = f.Error;
                return false;
            }

            message = m;
            return true;
        }

        public static bool TryDecodeAck(byte[] payload, out AlarmAck message, out string error)
        {
            message = null;
            WireFields f = Open(payload, out error);
            if (f == null)
            {
                return false;
            }

            AlarmAck m = new AlarmAck();
            m.Id = f.AlarmId("id");
            m.Stage = f.Word("stage", AckStage.All);
            m.Timestamp = f.Time("ts", false);
            m.Path = f.String("path", Limits.MaxPathLength, false);
            if (f.Failed)
            {
                error = f.Error;
                return false;
            }

            message = m;
            return true;
        }

        public static bool TryDecodeState(byte[] payload, out DeviceState message, out string error)
        {
            message = null;
            WireFields f = Open(payload, out error);
            if (f == null)
            {
                return false;
            }

            DeviceState m = new DeviceState();
            m.Device = f.Id("dev");
            m.Sequence = f.Int64("seq", 0, long.MaxValue, true, 0);
            m.Timestamp = f.Time("ts", true);
            m.UptimeMs = f.Int64("up", 0, long.MaxValue, true, 0);
            m.Bollard = f.Word("bollard", BollardPosition.All);
            m.Barrier = f.Word("barrier", BarrierPosition.All);
            if (f.Failed)
            {
                error = f.Error;
                return false;
            }

            message = m;
            return true;
        }

        public static bool TryDecodeCommand(byte[] payload, out Command message, out string error)
        {
            message = null;
            WireFields f = Open(payload, out error);
            if (f == null)
            {
                return false;
            }

            Command m = new Command();
            m.Id = f.Id("id");
            m.Name = f.Word("name", CommandName.All);
            m.Timestamp = f.Time("ts", false);
            m.TtlSeconds = f.Int32("ttl_s", 1, Limits.MaxCommandTtlSeconds, false, Limits.DefaultCommandTtlSeconds);
            if (f.Failed)
            {
                error = f.Error;
                return false;
            }

            message = m;
            return true;
        }

        public static bool TryDecodeResult(byte[] payload, out CommandResult message, out string error)
        {
            message = null;
            WireFields f = Open(payload, out error);
            if (f == null)
            {
                return false;
            }

            CommandResult m = new CommandResult();
            m.Id = f.Id("id");
            m.Device = f.Id("dev");
            m.Result = f.Word("result", CommandOutcome.All);
            m.Detail = f.String("detail", Limits.MaxStringLength, false);
            m.Timestamp = f.Time("ts", true);
            if (f.Failed)
            {
                error = f.Error;
                return false;
            }

            message = m;
            return true;
        }

        /// <summary>The availability payload: exactly "online" or "offline"; anything else is bad_value:status.</summary>
        public static bool TryDecodeStatus(byte[] payload, out string status, out string error)
        {
            status = null;
            if (payload == null || payload.Length == 0)
            {
                error = RejectReason.Empty;
                return false;
            }

            if (Matches(payload, Topics.Online))
            {
                status = Topics.Online;
            }
            else if (Matches(payload, Topics.Offline))
            {
                status = Topics.Offline;
            }
            else
            {
                error = RejectReason.BadValue + ":" + Topics.Status;
                return false;
            }

            error = null;
            return true;
        }

        // ---- shared steps ----

        private static JsonWriter Begin(int capacity)
        {
            JsonWriter w = new JsonWriter(capacity);
            w.BeginObject();
            w.Name("v").Number(Limits.ProtocolVersion);
            return w;
        }

        private static byte[] End(JsonWriter w)
        {
            w.EndObject();
            return w.ToUtf8();
        }

        private static void WriteTime(JsonWriter w, DateTime t)
        {
            w.Name("ts");
            if (UtcTime.IsSet(t))
            {
                w.Time(t);
            }
            else
            {
                w.Null();
            }
        }

        /// <summary>Size, JSON and version checks common to every message; null (and error set) on rejection.</summary>
        private static WireFields Open(byte[] payload, out string error)
        {
            if (payload == null || payload.Length == 0)
            {
                error = RejectReason.Empty;
                return null;
            }

            if (payload.Length > Limits.MaxPayloadBytes)
            {
                error = RejectReason.TooLarge;
                return null;
            }

            object root;
            string parseError;
            if (!JsonReader.TryParseUtf8(payload, 0, payload.Length, Limits.MaxJsonDepth, out root, out parseError))
            {
                error = RejectReason.MalformedJson;
                return null;
            }

            Hashtable obj = root as Hashtable;
            if (obj == null)
            {
                error = RejectReason.MalformedJson;
                return null;
            }

            object v = obj["v"];
            if (!(v is long) || (long)v != Limits.ProtocolVersion)
            {
                error = RejectReason.UnsupportedVersion;
                return null;
            }

            error = null;
            return new WireFields(obj);
        }

        private static bool Matches(byte[] payload, string ascii)
        {
            if (payload.Length != ascii.Length)
            {
                return false;
            }

            for (int i = 0; i < payload.Length; i++)
            {
                if (payload[i] != ascii[i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}

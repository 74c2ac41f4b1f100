namespace Gate.Contracts
{
    /// <summary>The MQTT topic tree, version 1: gate/v1/{school}/{device}/{channel}. See docs/protocol.md.</summary>
    public static class Topics
    {
        public const string Root = "gate";
        public const string Version = "v1";
        public const string Prefix = "gate/v1/";

        // Device -> server
        public const string Status = "status";
        public const string Heartbeat = "heartbeat";
        public const string Alarm = "alarm";
        public const string State = "state";
        public const string Result = "result";
        // Server -> device
        public const string Ack = "ack";
        public const string Command = "cmd";

        public const string Online = "online";
        public const string Offline = "offline";

        /// <summary>gate/v1/{school}/{device}/ : the subtree a device owns.</summary>
        public static string DeviceRoot(string school, string device)
        {
            return Prefix + school + "/" + device + "/";
        }

        public static string For(string school, string device, string channel)
        {
            return Prefix + school + "/" + device + "/" + channel;
        }

        /// <summary>True for the channels a device may publish to.</summary>
        public static bool IsDevicePublishChannel(string channel)
        {
            return channel == Status || channel == Heartbeat || channel == Alarm || channel == State || channel == Result;
        }

        /// <summary>True for the channels a device may subscribe to.</summary>
        public static bool IsDeviceSubscribeChannel(string channel)
        {
            return channel == Ack || channel == Command;
        }

        /// <summary>
        /// Splits gate/v1/{school}/{device}/{channel}. Returns false (and null parts) for anything else:
        /// another version, wildcards, empty levels, invalid identifiers, extra levels.
        /// </summary>
        public static bool TryParse(string topic, out string school, out string device, out string channel)
        {
            school = null;
            device = null;
            channel = null;
            if (topic == null || topic.Length > Limits.MaxTopicLength || !topic.StartsWith(Prefix))
            {
                return false;
            }

            int schoolEnd = topic.IndexOf('/', Prefix.Length);
            if (schoolEnd < 0)
            {
                return false;
            }

            int deviceEnd = topic.IndexOf('/', schoolEnd + 1);
            if (deviceEnd < 0)
            {
                return false;
            }

            string s = topic.Substring(Prefix.Length, schoolEnd - Prefix.Length);
            string d = topic.Substring(schoolEnd + 1, deviceEnd - schoolEnd - 1);
            string c = topic.Substring(deviceEnd + 1);
            if (!Identifier.IsValid(s) || !Identifier.IsValid(d))
            {
                return false;
            }

            if (!(IsDevicePublishChannel(c) || IsDeviceSubscribeChannel(c)))
            {
                return false;
            }

            school = s;
            device = d;
            channel = c;
            return true;
        }
    }
}

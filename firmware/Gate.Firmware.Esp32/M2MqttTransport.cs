using System;
using System.Text;
using System.Threading;
using Gate.Firmware.Connection;
using nanoFramework.M2Mqtt;
using nanoFramework.M2Mqtt.Messages;

namespace Gate.Firmware.Esp32
{
    /// <summary>
    /// IMqttTransport over nanoFramework.M2Mqtt (5.1.x), against its known failure modes:
    /// - the MqttClient constructor resolves the host and throws while the network is down: it runs inside the
    ///   connect thread and any exception is reported as a failed attempt;
    /// - Connect has no timeout: it runs on its own thread; the core's supervisor calls Abort after 30 s,
    ///   which closes the client still being connected (its socket) and abandons that thread (5.1.223 carries
    ///   m2mqtt's fix for Connect blocking forever after a network loss, PR #445; the close is the backstop);
    /// - the in-flight queue is unbounded by default: it is capped (Settings.InflightQueueSize), and a full
    ///   queue makes Publish return false so the core retries later from its outbox.
    /// API as defined in nanoFramework.M2Mqtt's MqttClient.cs: MqttClient(host, port, secure, caCert,
    /// clientCert, sslProtocol); Connect(clientId, username, password, willRetain, willQosLevel, willFlag,
    /// willTopic, willMessage, cleanSession, keepAlivePeriod); Subscribe(string[], MqttQoSLevel[]);
    /// Publish(topic, message, contentType, userProperties, qosLevel, retain).
    /// </summary>
    public sealed class M2MqttTransport : IMqttTransport
    {
        public const int InflightQueueSize = 16;

        private readonly object _lock = new object();
        private IMqttListener _listener;
        private MqttClient _client;
        // The client a connect thread is still connecting (CONNECT/SUBSCRIBE not yet answered): Abort must be
        // able to close it, since _client is set only once Connect and Subscribe have succeeded.
        private MqttClient _connecting;
        private int _generation;

        public void SetListener(IMqttListener listener)
        {
            _listener = listener;
        }

        public void BeginConnect(MqttConnectOptions options)
        {
            int generation;
            lock (_lock)
            {
                CloseClient();
                _generation++;
                generation = _generation;
            }

            MqttConnectOptions o = options;
            new Thread(() => Connect(o, generation)).Start();
        }

        private void Connect(MqttConnectOptions o, int generation)
        {
            MqttClient client = null;
            try
            {
                client = new MqttClient(o.Host, o.Port, o.UseTls, null, null, o.UseTls ? MqttSslProtocols.TLSv1_2 : MqttSslProtocols.None);
                lock (_lock)
                {
                    if (generation != _generation)
                    {
                        // Aborted while the host was being resolved.
                        client.Close();
                        return;
                    }

                    _connecting = client;
                }

                client.Settings.InflightQueueSize = InflightQueueSize;
                client.ProtocolVersion = MqttProtocolVersion.Version_3_1_1;
                client.MqttMsgPublishReceived += (sender, e) =>
                {
                    if (IsCurrent(generation))
                    {
                        _listener.OnMessage(e.Topic, e.Message);
                    }
                };
                client.ConnectionClosed += (sender, e) =>
                {
                    if (IsCurrent(generation))
                    {
                        _listener.OnDisconnected("connection_closed");
                    }
                };

                string will = o.WillPayload == null ? null : new string(Encoding.UTF8.GetChars(o.WillPayload));
                MqttReasonCode code = client.Connect(
                    o.ClientId,
                    o.Username,
                    o.Password,
                    o.WillRetain,
                    o.WillQos == 1 ? MqttQoSLevel.AtLeastOnce : MqttQoSLevel.AtMostOnce,
                    o.WillTopic != null,
                    o.WillTopic,
                    will,
                    false,
                    (ushort)o.KeepAliveSeconds);
                if (code != MqttReasonCode.Success)
                {
                    client.Close();
                    Report(generation, "connack_" + ((int)code).ToString());
                    return;
                }

                if (o.Subscriptions != null && o.Subscriptions.Length > 0)
                {
                    MqttQoSLevel[] levels = new MqttQoSLevel[o.Subscriptions.Length];
                    for (int i = 0; i < levels.Length; i++)
                    {
                        levels[i] = MqttQoSLevel.AtLeastOnce;
                    }

                    client.Subscribe(o.Subscriptions, levels);
                }

                lock (_lock)
                {
                    if (generation != _generation)
                    {
                        // Aborted while connecting: the supervisor has moved on.
                        client.Close();
                        return;
                    }

                    _connecting = null;
                    _client = client;
                }

                _listener.OnConnected();
            }
            catch (Exception ex)
            {
                lock (_lock)
                {
                    if (_connecting == client)
                    {
                        _connecting = null;
                    }
                }

                if (client != null)
                {
                    try { client.Close(); } catch (Exception) { }
                }

                Report(generation, ex.Message);
            }
        }

        public void Abort()
        {
            lock (_lock)
            {
                _generation++;
                CloseClient();
            }
        }

        public bool Publish(string topic, byte[] payload, int qos, bool retain)
        {
            MqttClient client;
            lock (_lock)
            {
                client = _client;
            }

            if (client == null || !client.IsConnected)
            {
                return false;
            }

            try
            {
                client.Publish(topic, payload, null, null, qos == 1 ? MqttQoSLevel.AtLeastOnce : MqttQoSLevel.AtMostOnce, retain);
                return true;
            }
            catch (Exception)
            {
                // InflightQueueFull or a dying socket: the outbox re-sends.
                return false;
            }
        }

        private void Report(int generation, string reason)
        {
            if (IsCurrent(generation))
            {
                _listener.OnConnectFailed(reason);
            }
        }

        private bool IsCurrent(int generation)
        {
            lock (_lock)
            {
                return generation == _generation;
            }
        }

        private void CloseClient()
        {
            // Close, not Disconnect: no DISCONNECT packet, so the broker publishes our will ("offline").
            // A client still connecting is closed too: that ends its socket, so a Connect blocked on the
            // network returns (with an exception its thread reports to nobody, the generation having moved on).
            MqttClient old = _client;
            MqttClient connecting = _connecting;
            _client = null;
            _connecting = null;
            if (old != null)
            {
                try { old.Close(); } catch (Exception) { }
            }

            if (connecting != null)
            {
                try { connecting.Close(); } catch (Exception) { }
            }
        }
    }
}

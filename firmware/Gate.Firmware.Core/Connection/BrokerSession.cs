using System;
using Gate.Contracts;
using Gate.Firmware.Config;

namespace Gate.Firmware.Connection
{
    /// <summary>
    /// The MQTT session as the controller sees it: the supervisor's decisions carried out on the transport (connect with
    /// the will and the subscriptions, abort a connect that hangs), the client's reports queued for the Poll, and the one
    /// publish everything goes through, which never throws.
    /// </summary>
    public sealed class BrokerSession
    {
        private readonly DeviceConfig _config;
        private readonly IMqttTransport _transport;
        private readonly string _topicRoot;
        private readonly ConnectionSupervisor _supervisor;
        private readonly TransportEventQueue _events = new TransportEventQueue();

        public BrokerSession(DeviceConfig config, IMqttTransport transport, string topicRoot, long nowMs)
        {
            _config = config;
            _transport = transport;
            _topicRoot = topicRoot;
            _supervisor = new ConnectionSupervisor(
                new Backoff(Backoff.DefaultInitialMs, Backoff.DefaultMaxMs, new Jitter(Jitter.SeedFrom(config.Device, 2))),
                ConnectionSupervisor.DefaultConnectTimeoutMs,
                (long)config.RebootAfterOfflineSeconds * 1000,
                nowMs);
            transport.SetListener(_events);
        }

        public ConnectionSupervisor Supervisor { get { return _supervisor; } }

        /// <summary>What the client reported since the last Poll.</summary>
        public TransportEventQueue Events { get { return _events; } }

        public bool IsConnected { get { return _supervisor.IsConnected; } }

        /// <summary>Carries out what the supervisor decides now. True when it asks for a reboot (offline too long).</summary>
        public bool Supervise(long nowMs)
        {
            ConnectionAction action = _supervisor.Poll(nowMs);
            if (action == ConnectionAction.Connect)
            {
                Connect(nowMs);
            }
            else if (action == ConnectionAction.Abort)
            {
                Abort();
            }

            return action == ConnectionAction.Reboot;
        }

        /// <summary>Queues a publish. False when the client refused it or threw: the caller tries again later.</summary>
        public bool Publish(string topic, byte[] payload, int qos, bool retain)
        {
            try
            {
                return _transport.Publish(topic, payload, qos, retain);
            }
            catch (Exception)
            {
                return false;
            }
        }

        private void Connect(long nowMs)
        {
            MqttConnectOptions o = new MqttConnectOptions();
            o.Host = _config.BrokerHost;
            o.Port = _config.BrokerPort;
            o.UseTls = _config.BrokerTls;
            o.ClientId = _config.Device;
            o.Username = _config.Device;
            o.Password = _config.Credential;
            o.KeepAliveSeconds = 60;
            o.WillTopic = _topicRoot + Topics.Status;
            o.WillPayload = WireCodec.EncodeStatus(false);
            o.WillRetain = true;
            o.WillQos = 1;
            o.Subscriptions = new string[] { _topicRoot + Topics.Ack, _topicRoot + Topics.Command };
            try
            {
                _transport.BeginConnect(o);
            }
            catch (Exception ex)
            {
                // M2Mqtt's constructor throws while the network is down: a failed attempt, not a crash.
                _supervisor.OnConnectFailed(ex.Message, nowMs);
            }
        }

        private void Abort()
        {
            try
            {
                _transport.Abort();
            }
            catch (Exception)
            {
                // Already gone.
            }
        }
    }
}

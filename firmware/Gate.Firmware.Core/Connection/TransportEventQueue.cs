using System.Collections;

namespace Gate.Firmware.Connection
{
    /// <summary>
    /// Hands the MQTT client's reports (from any thread) over to the single-threaded Poll, in arrival order.
    /// Bounded against a flood of messages; connection events are never dropped.
    /// </summary>
    public sealed class TransportEventQueue : IMqttListener
    {
        /// <summary>Messages queued beyond this are dropped (QoS 1 from the server is re-delivered on the next session).</summary>
        public const int MaxQueuedMessages = 64;

        private readonly ArrayList _events = new ArrayList();

        public int Count
        {
            get
            {
                lock (_events)
                {
                    return _events.Count;
                }
            }
        }

        /// <summary>The oldest queued event, removed; null when none is queued.</summary>
        public TransportEvent Dequeue()
        {
            lock (_events)
            {
                if (_events.Count == 0)
                {
                    return null;
                }

                TransportEvent e = (TransportEvent)_events[0];
                _events.RemoveAt(0);
                return e;
            }
        }

        public void OnConnected() { Enqueue(new TransportEvent(TransportEventKind.Connected, null, null, null)); }

        public void OnConnectFailed(string reason) { Enqueue(new TransportEvent(TransportEventKind.ConnectFailed, reason, null, null)); }

        public void OnDisconnected(string reason) { Enqueue(new TransportEvent(TransportEventKind.Disconnected, reason, null, null)); }

        public void OnMessage(string topic, byte[] payload) { Enqueue(new TransportEvent(TransportEventKind.Message, null, topic, payload)); }

        private void Enqueue(TransportEvent e)
        {
            lock (_events)
            {
                // A flood of messages must not exhaust memory (the count includes connection events, as it always did).
                if (_events.Count >= MaxQueuedMessages && e.Kind == TransportEventKind.Message)
                {
                    return;
                }

                _events.Add(e);
            }
        }
    }
}

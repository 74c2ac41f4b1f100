namespace Gate.Firmware.Core.Tests;

/// <summary>The hand-over from the MQTT client's threads to the controller's Poll.</summary>
public class TransportEventQueueTests
{
    [Fact]
    public void Queue_OneOfEachKind_DequeuesInArrivalOrderWithItsFields()
    {
        var q = new TransportEventQueue();
        IMqttListener listener = q;
        var payload = new byte[] { 1, 2, 3 };
        listener.OnConnectFailed("no route");
        listener.OnConnected();
        listener.OnMessage("gate/v1/s/d/ack", payload);
        listener.OnDisconnected("keepalive");

        var failed = q.Dequeue()!;
        Assert.Equal((TransportEventKind.ConnectFailed, "no route"), (failed.Kind, failed.Reason));
        Assert.Equal(TransportEventKind.Connected, q.Dequeue()!.Kind);
        var message = q.Dequeue()!;
        Assert.Equal((TransportEventKind.Message, "gate/v1/s/d/ack"), (message.Kind, message.Topic));
        Assert.Same(payload, message.Payload);
        var down = q.Dequeue()!;
        Assert.Equal((TransportEventKind.Disconnected, "keepalive"), (down.Kind, down.Reason));
        Assert.Null(q.Dequeue());
    }

    [Fact]
    public void Queue_FloodOfMessages_DropsMessagesBeyondTheBoundButNeverConnectionEvents()
    {
        var q = new TransportEventQueue();
        for (int i = 0; i < TransportEventQueue.MaxQueuedMessages + 10; i++)
        {
            q.OnMessage("t", new byte[] { (byte)i });
        }

        q.OnDisconnected("dropped");
        q.OnConnected();

        Assert.Equal(TransportEventQueue.MaxQueuedMessages + 2, q.Count);
        for (int i = 0; i < TransportEventQueue.MaxQueuedMessages; i++)
        {
            var e = q.Dequeue()!;
            Assert.Equal(TransportEventKind.Message, e.Kind);
            Assert.Equal((byte)i, e.Payload[0]);
        }

        Assert.Equal(TransportEventKind.Disconnected, q.Dequeue()!.Kind);
        Assert.Equal(TransportEventKind.Connected, q.Dequeue()!.Kind);
        Assert.Null(q.Dequeue());
    }

    [Fact]
    public void Queue_ReportsFromManyThreads_LosesNone()
    {
        var q = new TransportEventQueue();
        Parallel.For(0, 8, _ =>
        {
            for (int i = 0; i < 4; i++)
            {
                q.OnMessage("t", new byte[1]);
                q.OnConnectFailed("x");
            }
        });

        int messages = 0, failures = 0;
        for (var e = q.Dequeue(); e is not null; e = q.Dequeue())
        {
            if (e.Kind == TransportEventKind.Message) { messages++; } else { failures++; }
        }

        Assert.Equal((32, 32), (messages, failures));
    }

    [Fact]
    public void Controller_MessageFloodWhileConnected_StillSeesTheDisconnect()
    {
        var rig = new ControllerRig();
        rig.Advance(100);
        Assert.True(rig.Controller.IsConnected);
        for (int i = 0; i < 200; i++)
        {
            rig.Transport.Deliver(rig.Controller.Topic(Topics.Command), new byte[] { (byte)'{' });
        }

        rig.Transport.Drop();
        rig.Advance(10);
        Assert.False(rig.Controller.IsConnected);
    }
}

using System.Net.Sockets;

namespace Gate.Forwarding.Tests;

[Trait("Category", "Integration")]
public class PoliceReceiverSimulatorTests
{
    private const string Account = "1234AB";
    private static readonly string Data = new ContactIdEvent(1, 120, 1, 1).ToDataBlock(Account);

    /// <summary>A simulated receiver already listening; the caller disposes it.</summary>
    private static async Task<PoliceReceiverSimulator> StartedAsync(PoliceReceiverOptions? options = null, TimeProvider? time = null)
    {
        var simulator = new PoliceReceiverSimulator(options, time);
        await simulator.StartAsync();
        return simulator;
    }

    /// <summary>The test's one event: a Contact ID panic for <see cref="Account"/>.</summary>
    private static Task<Dc09Result> SendPanicAsync(Dc09Client client) =>
        client.SendEventAsync(SiaToken.ContactId, Account, Data, null, CancellationToken.None);

    private static Dc09Client ClientFor(PoliceReceiverSimulator simulator, Dc09Transport transport = Dc09Transport.Tcp, byte[]? key = null, TimeProvider? time = null) =>
        new(new Dc09ClientOptions
        {
            Host = "127.0.0.1",
            Port = transport == Dc09Transport.Tcp ? simulator.TcpEndPoint!.Port : simulator.UdpEndPoint!.Port,
            Transport = transport,
            Key = key,
            Receiver = "1",
            LinePrefix = "1",
        }, time);

    [Fact]
    public async Task Simulator_UnencryptedTcp_AcknowledgesAndRecordsContactId()
    {
        await using var simulator = await StartedAsync();
        await using var client = ClientFor(simulator);

        var result = await client.SendEventAsync(SiaToken.ContactId, Account, Data, ["Ialarm g1.1.1 panic"], CancellationToken.None);

        Assert.Equal(Dc09Outcome.Ack, result.Outcome);
        var received = Assert.Single(simulator.Acknowledged);
        Assert.Equal("tcp", received.Transport);
        Assert.Equal(Account, received.Frame!.Account);
        Assert.Equal(new ContactIdEvent(1, 120, 1, 1), received.ContactId);
        Assert.Equal(["Ialarm g1.1.1 panic"], received.Frame.ExtendedData);
    }

    [Fact]
    public async Task Simulator_EncryptedTcp_DecryptsAndAnswersEncryptedAck()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        await using var simulator = await StartedAsync(new PoliceReceiverOptions { Key = key });
        await using var client = ClientFor(simulator, key: key);

        var result = await SendPanicAsync(client);

        Assert.Equal(Dc09Outcome.Ack, result.Outcome);
        Assert.StartsWith("\"*ACK\"", result.Response);
        var received = Assert.Single(simulator.Acknowledged);
        Assert.True(received.Frame!.Encrypted);
        Assert.DoesNotContain("1120", received.Raw);
        Assert.Equal(new ContactIdEvent(1, 120, 1, 1), received.ContactId);
    }

    [Fact]
    public async Task Simulator_Udp_Acknowledges()
    {
        var key = RandomNumberGenerator.GetBytes(16);
        await using var simulator = await StartedAsync(new PoliceReceiverOptions { Key = key });
        await using var client = ClientFor(simulator, Dc09Transport.Udp, key);

        var result = await SendPanicAsync(client);

        Assert.Equal(Dc09Outcome.Ack, result.Outcome);
        Assert.Equal("udp", Assert.Single(simulator.Acknowledged).Transport);
    }

    [Fact]
    public async Task Simulator_NullMessage_IsAcknowledged()
    {
        await using var simulator = await StartedAsync();
        await using var client = ClientFor(simulator);

        var result = await client.SendNullAsync("0000", CancellationToken.None);

        Assert.Equal(Dc09Outcome.Ack, result.Outcome);
        Assert.Equal(SiaToken.Null, Assert.Single(simulator.Received).Frame!.Token);
    }

    [Fact]
    public async Task Client_ClockFiveMinutesBehind_IsNakedThenResyncsAndIsAcknowledged()
    {
        var receiverTime = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        var senderTime = new FakeTimeProvider(receiverTime.GetUtcNow().AddMinutes(-5));
        var key = RandomNumberGenerator.GetBytes(16);
        await using var simulator = await StartedAsync(new PoliceReceiverOptions { Key = key }, receiverTime);
        await using var client = ClientFor(simulator, key: key, time: senderTime);

        var result = await SendPanicAsync(client);

        Assert.Equal(Dc09Outcome.Ack, result.Outcome);
        Assert.Equal(1, result.NakResyncs);
        Assert.Equal(TimeSpan.FromMinutes(5), client.ClockOffset);
        Assert.Equal([SiaToken.Nak, SiaToken.Ack], simulator.Received.Select(m => m.Answer));
        Assert.Equal(simulator.Received[0].Frame!.Sequence, simulator.Received[1].Frame!.Sequence);
    }

    [Theory]
    [InlineData(-41, SiaToken.Nak)]
    [InlineData(-39, SiaToken.Ack)]
    [InlineData(19, SiaToken.Ack)]
    [InlineData(21, SiaToken.Nak)]
    public void Simulator_TimestampWindow_IsMinus40ToPlus20Seconds(int offsetSeconds, string expected)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        var simulator = new PoliceReceiverSimulator(new PoliceReceiverOptions(), time);
        var frame = new SiaDc09Frame
        {
            Token = SiaToken.ContactId,
            Sequence = 1,
            Account = Account,
            Data = Data,
            Timestamp = time.GetUtcNow().AddSeconds(offsetSeconds),
        };

        var (message, _) = simulator.Handle(frame.Encode(), "test");

        Assert.Equal(expected, message.Answer);
    }

    [Fact]
    public async Task Simulator_CorruptedCrc_AnswersNakWithItsTime()
    {
        await using var simulator = await StartedAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(simulator.TcpEndPoint!);
        var frame = new SiaDc09Frame { Token = SiaToken.ContactId, Sequence = 5, Account = Account, Data = Data }.Encode();
        frame[2] = frame[2] == (byte)'0' ? (byte)'1' : (byte)'0';

        await tcp.GetStream().WriteAsync(frame);
        var answer = await new SiaFrameReader(tcp.GetStream()).ReadFrameAsync(CancellationToken.None).AsTask().WithTimeout("NAK");

        var parsed = SiaDc09Parser.Parse(answer!);
        Assert.True(parsed.Ok, parsed.Detail);
        Assert.Equal(SiaToken.Nak, parsed.Frame!.Token);
        Assert.NotNull(parsed.Frame.Timestamp);
        Assert.StartsWith("Crc", simulator.Received.Single().Verdict);
    }

    [Fact]
    public async Task Simulator_EncryptedFromAccountWithoutKey_AnswersDuh()
    {
        await using var simulator = await StartedAsync();
        await using var client = ClientFor(simulator, key: RandomNumberGenerator.GetBytes(16));

        var result = await SendPanicAsync(client);

        Assert.Equal(Dc09Outcome.Duh, result.Outcome);
    }

    [Fact]
    public async Task Simulator_MalformedContactId_AnswersDuh()
    {
        await using var simulator = await StartedAsync();
        await using var client = ClientFor(simulator);

        var result = await client.SendEventAsync(SiaToken.ContactId, Account, "#1234AB|not contact id", null, CancellationToken.None);

        Assert.Equal(Dc09Outcome.Duh, result.Outcome);
    }

    [Fact]
    public async Task Client_NakForever_GivesNakAfterOneResyncNotALoop()
    {
        await using var simulator = await StartedAsync(new PoliceReceiverOptions { Behaviour = ReceiverBehaviour.Nak });
        await using var client = ClientFor(simulator);

        var result = await SendPanicAsync(client);

        Assert.Equal(Dc09Outcome.Nak, result.Outcome);
        Assert.Equal(2, simulator.Received.Count);
    }

    [Fact]
    public async Task Client_DuhBehaviour_GivesDuh()
    {
        await using var simulator = await StartedAsync(new PoliceReceiverOptions { Behaviour = ReceiverBehaviour.Duh });
        await using var client = ClientFor(simulator);

        Assert.Equal(Dc09Outcome.Duh, (await SendPanicAsync(client)).Outcome);
    }

    [Fact]
    public async Task Client_ReceiverDropsMidFrame_ReportsClosedThenReconnects()
    {
        await using var simulator = await StartedAsync(new PoliceReceiverOptions { Behaviour = ReceiverBehaviour.DropMidFrame });
        await using var client = ClientFor(simulator);

        var dropped = await SendPanicAsync(client);
        simulator.Behaviour = ReceiverBehaviour.Normal;
        var retried = await SendPanicAsync(client);

        Assert.Equal(Dc09Outcome.ConnectionClosed, dropped.Outcome);
        Assert.Contains("mid-frame", dropped.Detail);
        Assert.Equal(Dc09Outcome.Ack, retried.Outcome);
    }

    [Fact]
    public async Task Client_ReceiverSendsGarbage_ReportsGarbage()
    {
        await using var simulator = await StartedAsync(new PoliceReceiverOptions { Behaviour = ReceiverBehaviour.Garbage });
        await using var client = ClientFor(simulator);

        Assert.Equal(Dc09Outcome.Garbage, (await SendPanicAsync(client)).Outcome);
    }

    [Fact]
    public async Task Client_SilentReceiver_TimesOutOnItsClock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var simulator = await StartedAsync(new PoliceReceiverOptions { Behaviour = ReceiverBehaviour.Silent }, time);
        await using var client = ClientFor(simulator, time: time);
        var received = simulator.NextMessage();

        var send = SendPanicAsync(client);
        await received.WithTimeout("the frame at the receiver");
        time.Advance(TimeSpan.FromSeconds(6));
        var result = await send.WithTimeout("the timeout");

        Assert.Equal(Dc09Outcome.Timeout, result.Outcome);
    }

    [Fact]
    public async Task Client_ReceiverAnswersAfter35Seconds_TimesOutAndIgnoresTheLateAck()
    {
        var receiverTime = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var senderTime = new FakeTimeProvider(receiverTime.GetUtcNow());
        await using var simulator = await StartedAsync(new PoliceReceiverOptions { Behaviour = ReceiverBehaviour.Slow, SlowDelay = TimeSpan.FromSeconds(35) }, receiverTime);
        await using var client = ClientFor(simulator, time: senderTime);
        var received = simulator.NextMessage();

        var send = SendPanicAsync(client);
        await received.WithTimeout("the frame at the receiver");
        senderTime.Advance(TimeSpan.FromSeconds(6));
        var result = await send.WithTimeout("the timeout");
        receiverTime.Advance(TimeSpan.FromSeconds(35));
        simulator.Behaviour = ReceiverBehaviour.Normal;
        var next = await SendPanicAsync(client);

        Assert.Equal(Dc09Outcome.Timeout, result.Outcome);
        Assert.Equal(Dc09Outcome.Ack, next.Outcome);
        Assert.Equal(result.Sequence + 1, next.Sequence);
    }

    [Fact]
    public async Task Client_ReceiverDown_ReportsConnectionFailed()
    {
        var simulator = await StartedAsync();
        await using var client = ClientFor(simulator);
        await simulator.StopAsync();

        var result = await SendPanicAsync(client);

        Assert.Equal(Dc09Outcome.ConnectionFailed, result.Outcome);
    }

    [Fact]
    public async Task Simulator_StoppedAndStarted_ListensOnTheSamePortAgain()
    {
        await using var simulator = await StartedAsync();
        var port = simulator.TcpEndPoint!.Port;
        await using var client = ClientFor(simulator);
        Assert.Equal(Dc09Outcome.Ack, (await client.SendNullAsync("0000", CancellationToken.None)).Outcome);

        await simulator.StopAsync();
        var whileDown = await client.SendNullAsync("0000", CancellationToken.None);
        await simulator.StartAsync();
        var afterRestart = await client.SendNullAsync("0000", CancellationToken.None);

        Assert.NotEqual(Dc09Outcome.Ack, whileDown.Outcome);
        Assert.Equal(port, simulator.TcpEndPoint!.Port);
        Assert.Equal(Dc09Outcome.Ack, afterRestart.Outcome);
    }
}

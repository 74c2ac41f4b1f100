namespace Gate.Forwarding.Tests;

/// <summary>
/// The server's wall clock stepped by hours while the police receiver's stays right (simulated time: both run on the
/// fixture's FakeTimeProvider, only the server's wall clock is stepped). Retries keep their backoff; the DC-09
/// timestamp window is met again after one NAK that carries the receiver's time.
/// </summary>
public sealed class ClockStepTests
{
    [Fact]
    public async Task Forwarding_ServerClockSteppedBackByHours_RetryStillComesAfterItsBackoff()
    {
        await using var fx = new ForwardingFixture();
        var clock = new SteppedClock(fx.Time);
        fx.ServerClock = clock;
        await using var receiver = await fx.StartedSimulatorAsync(new PoliceReceiverOptions { Behaviour = ReceiverBehaviour.Nak });
        fx.AddSchool("school-a", "1001");
        await fx.StartAsync(ForwardingFixture.Config(primary: receiver, troubleAfter: 5));

        fx.Enqueue(ForwardingFixture.Alarm("k.1.1"));
        await fx.WaitForDelivery("k.1.1", d => d.Attempts == 1 && d.NextAttemptAt is not null, "first round refused");
        receiver.Behaviour = ReceiverBehaviour.Normal;
        clock.Step(TimeSpan.FromHours(-3));

        // The retry was due 1 s after the first round; 3 h earlier on the wall it is still due after 1 s.
        fx.Time.Advance(TimeSpan.FromSeconds(1));
        await fx.Observer.Acknowledged("k.1.1");
        Assert.Equal(ForwardState.Delivered, (await fx.WaitForDelivery("k.1.1", d => d.State == ForwardState.Delivered, "delivered")).State);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-3)]
    public async Task Forwarding_ServerClockSteppedByHours_EncryptedAlarmNakedOnceForItsTimestampThenAcknowledged(int hours)
    {
        var key = RandomNumberGenerator.GetBytes(16);
        await using var fx = new ForwardingFixture();
        var clock = new SteppedClock(fx.Time);
        fx.ServerClock = clock;
        await using var receiver = await fx.StartedSimulatorAsync(new PoliceReceiverOptions { Key = key });
        fx.AddSchool("school-a", "1001");
        await fx.StartAsync(ForwardingFixture.Config(primary: receiver, key: Convert.ToHexString(key)));

        fx.Enqueue(ForwardingFixture.Alarm("t.1.1"));
        await fx.Observer.Acknowledged("t.1.1");
        Assert.Equal([SiaToken.Ack], receiver.Received.Select(m => m.Answer.Split(' ')[0]));

        clock.Step(TimeSpan.FromHours(hours));
        fx.Enqueue(ForwardingFixture.Alarm("t.1.2"));
        await fx.Observer.Acknowledged("t.1.2");

        // The stepped stamp is refused (NAK with the receiver's time), the same message resent on the receiver's clock.
        Assert.Equal([SiaToken.Ack, SiaToken.Nak, SiaToken.Ack], receiver.Received.Select(m => m.Answer.Split(' ')[0]));
        var accepted = receiver.Acknowledged.Last();
        Assert.Equal("t.1.2", ForwardingFixture.AlarmIdOf(accepted));
        Assert.InRange((accepted.Frame!.Timestamp!.Value - fx.Time.GetUtcNow()).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(20));

        // The operator steps the clock back to the truth: one more NAK, then right again.
        clock.Step(TimeSpan.FromHours(-hours));
        fx.Enqueue(ForwardingFixture.Alarm("t.1.3"));
        await fx.Observer.Acknowledged("t.1.3");
        Assert.Equal([SiaToken.Ack, SiaToken.Nak, SiaToken.Ack, SiaToken.Nak, SiaToken.Ack], receiver.Received.Select(m => m.Answer.Split(' ')[0]));
    }
}

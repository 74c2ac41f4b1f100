namespace Gate.Forwarding.Tests;

/// <summary>
/// Gate against receivers written by others: the answer forms real receivers send (each a vector below, with the
/// receiver behaviour it came from), and every alarm kind, plain and AES-128/192/256, through the strict simulator
/// profile, which refuses and answers as pysiaalarm does.
/// </summary>
[Trait("Category", "Integration")]
public class ReceiverConformanceTests
{
    private const string Account = "1234";

    private static readonly DateTimeOffset Now = new(2026, 12, 7, 5, 38, 23, TimeSpan.Zero);

    private static string Frame(string body) => Encoding.ASCII.GetString(SiaDc09Frame.Wrap(body));

    private static byte[] AsciiKey(int bytes) => Encoding.ASCII.GetBytes("0123456789ABCDEFGHIJKLMNOPQRSTUV"[..bytes]);

    public static TheoryData<string, string, string> AcceptedAnswers() => new()
    {
        // pysiaalarm NAKEvent.create_response: L before R, the receiver's time for resynchronisation.
        { "pysiaalarm NAK: L before R, A0 placeholder, timestamp", Frame("\"NAK\"0000L0R0A0[]_05:38:23,12-07-2026"), SiaToken.Nak },
        // The standard's order.
        { "standard NAK: R before L", Frame("\"NAK\"0000R0L0A0[]_05:38:23,12-07-2026"), SiaToken.Nak },
        // pysiaalarm's unencrypted ACK carries no timestamp.
        { "pysiaalarm ACK, unencrypted, no timestamp", Frame("\"ACK\"0001R0L0#1234[]"), SiaToken.Ack },
        // pysiaalarm writes Python's None where the event had no receiver number.
        { "pysiaalarm ACK to a frame without R: 'None' in its place", Frame("\"ACK\"0001NoneL0#1234[]"), SiaToken.Ack },
        { "pysiaalarm DUH to an unknown code", Frame("\"DUH\"0001R0L0#1234[]"), SiaToken.Duh },
    };

    [Theory]
    [MemberData(nameof(AcceptedAnswers))]
    public void Parser_AnswerFormsOfRealReceivers_AreAccepted(string receiverBehaviour, string frame, string token)
    {
        var parsed = SiaDc09Parser.Parse(Encoding.ASCII.GetBytes(frame));

        Assert.True(parsed.Ok, $"{receiverBehaviour}: {parsed.Error} {parsed.Detail}");
        Assert.Equal(token, parsed.Frame!.Token);
    }

    [Fact]
    public void Parser_NakWithLineBeforeReceiver_KeepsTheReceiverTimeForResync()
    {
        var parsed = SiaDc09Parser.Parse(Encoding.ASCII.GetBytes(Frame("\"NAK\"0000L0R0A0[]_05:38:23,12-07-2026")));

        Assert.Equal(Now, parsed.Frame!.Timestamp);
        Assert.Equal(SiaHeaderVariant.LineBeforeReceiver, parsed.Frame.HeaderVariant);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(24)]
    [InlineData(32)]
    public void Parser_EncryptedAckPaddedWithZerosAndNoBar_IsAccepted(int keyBytes)
    {
        // Two independent implementations encrypt an empty ACK as zeros + "]" + timestamp, with no '|'.
        var key = AsciiKey(keyBytes);
        var cipher = SiaEncryption.EncryptZeroPadded("]_05:38:23,12-07-2026", key);
        var frame = Frame($"\"*ACK\"0001R0L0#1234[{cipher}");

        var parsed = SiaDc09Parser.Parse(Encoding.ASCII.GetBytes(frame), _ => key);

        Assert.True(parsed.Ok, $"{parsed.Error} {parsed.Detail}");
        Assert.Equal(SiaToken.Ack, parsed.Frame!.Token);
        Assert.Equal(string.Empty, parsed.Frame.Data);
        Assert.Equal(Now, parsed.Frame.Timestamp);
    }

    [Fact]
    public void Parser_EncryptedEventWithoutBar_IsRefused()
    {
        // For an event the pad cannot be told from the data without the '|': refused, not guessed.
        var key = AsciiKey(16);
        var cipher = SiaEncryption.EncryptZeroPadded("Nri1/PA001]_05:38:23,12-07-2026", key);

        var parsed = SiaDc09Parser.Parse(Encoding.ASCII.GetBytes(Frame($"\"*SIA-DCS\"0001R0L0#1234[{cipher}")), _ => key);

        Assert.Equal(SiaParseError.Decryption, parsed.Error);
    }

    [Fact]
    public void Parser_AckEncryptedWithAnotherKey_IsRefusedAsDecryption()
    {
        var cipher = SiaEncryption.EncryptZeroPadded("]_05:38:23,12-07-2026", AsciiKey(16));

        var parsed = SiaDc09Parser.Parse(Encoding.ASCII.GetBytes(Frame($"\"*ACK\"0001R0L0#1234[{cipher}")), _ => RandomNumberGenerator.GetBytes(16));

        Assert.False(parsed.Ok);
    }

    [Theory]
    [InlineData("hex", "000102030405060708090A0B0C0D0E0F", 16)]
    [InlineData("ascii", "000102030405060708090A0B0C0D0E0F", 32)]
    [InlineData("ascii", "ABCDEFGHIJKLMNOP", 16)]
    [InlineData("ascii", "ABCDEFGHIJKLMNOPQRSTUVWX", 24)]
    public void KeyFormat_IsTakenAsSaid_NeverGuessed(string format, string text, int bytes)
    {
        var keyFormat = format == "hex" ? SiaKeyFormat.Hex : SiaKeyFormat.Ascii;

        Assert.True(SiaEncryption.TryParseKey(text, keyFormat, out var key));
        Assert.Equal(bytes, key.Length);
    }

    [Fact]
    public void KeyFormat_AsciiKeyOfWrongLength_IsRefusedAtStartUp()
    {
        var options = new ForwardingOptions
        {
            Primary = new Dc09ReceiverOptions { Host = "127.0.0.1", Port = 1, Key = "short", KeyFormat = "ascii" },
        };

        var result = new ForwardingOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Forwarding:Primary:Key", StringComparison.Ordinal) && f.Contains("16, 24 or 32", StringComparison.Ordinal));
    }

    [Fact]
    public void Profile_Unknown_IsRefusedAtStartUpNamingTheChoices()
    {
        var options = new ForwardingOptions { Primary = new Dc09ReceiverOptions { Host = "127.0.0.1", Port = 1, Profile = "lax" } };

        var result = new ForwardingOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures!, f => f.Contains("strict, one-block, full, sia-dcs", StringComparison.Ordinal));
    }

    public static TheoryData<string, int, string> KindsAndKeys()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var mapping in ContactIdMap.Table)
        {
            foreach (var keyBytes in new[] { 0, 16, 24, 32 })
            {
                foreach (var profile in new[] { "strict", "one-block", "sia-dcs" })
                {
                    data.Add(mapping.Kind, keyBytes, profile);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KindsAndKeys))]
    public async Task StrictReceiver_EveryKindPlainAndEncrypted_IsAcknowledged(string kind, int keyBytes, string profile)
    {
        var key = keyBytes == 0 ? null : AsciiKey(keyBytes);
        await using var receiver = new PoliceReceiverSimulator(new PoliceReceiverOptions { Profile = ReceiverProfile.Strict, Key = key });
        await receiver.StartAsync();
        await using var forwarder = ForwarderTo(receiver, profile, key);

        var attempt = await forwarder.ForwardAsync(Item(kind, "demo-school-gate-1.1.1"), CancellationToken.None);

        Assert.True(attempt.Outcome == ForwardOutcome.Acknowledged, $"{attempt.Outcome}: {attempt.Response} {attempt.Detail}; receiver said {receiver.Received.LastOrDefault()?.Verdict}");
        var got = Assert.Single(receiver.Acknowledged);
        Assert.Equal(Account, got.Frame!.Account);
    }

    [Fact]
    public async Task StrictReceiver_FullExtendedData_IsRefusedWithNakAndTheReasonIsInTheTrail()
    {
        await using var receiver = new PoliceReceiverSimulator(new PoliceReceiverOptions { Profile = ReceiverProfile.Strict });
        await receiver.StartAsync();
        await using var forwarder = ForwarderTo(receiver, "full", null);

        var attempt = await forwarder.ForwardAsync(Item("panic", "demo-school-gate-1.1.1"), CancellationToken.None);

        Assert.Equal(ForwardOutcome.Failed, attempt.Outcome);
        Assert.Contains("NAK", attempt.Response, StringComparison.Ordinal);
        Assert.All(receiver.Received, m => Assert.Contains("extended-data blocks", m.Verdict, StringComparison.Ordinal));
    }

    [Fact]
    public async Task StrictReceiver_TimestampOutsideWindow_IsNakedAndGateResyncsOnce()
    {
        // The receiver's clock is two minutes ahead: its NAK (L before R) carries its time; Gate adopts it and resends.
        var receiverClock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(2));
        await using var receiver = new PoliceReceiverSimulator(new PoliceReceiverOptions { Profile = ReceiverProfile.Strict }, receiverClock);
        await receiver.StartAsync();
        await using var forwarder = ForwarderTo(receiver, "strict", null);

        var attempt = await forwarder.ForwardAsync(Item("panic", "g-1.1.1"), CancellationToken.None);

        Assert.Equal(ForwardOutcome.Acknowledged, attempt.Outcome);
        Assert.Contains("clock resync", attempt.Detail, StringComparison.Ordinal);
        Assert.Equal([SiaToken.Nak, SiaToken.Ack], receiver.Received.Select(m => m.Answer).ToArray());
    }

    [Fact]
    public async Task Sequence_ConnectionsShareOneCounterPerAccount_NoTwoAlarmsShareANumber()
    {
        using var dir = new TempDir();
        var database = new GateDatabase(Path.Combine(dir.Path, "gate.db"));
        database.Migrate();
        var counter = new Dc09SequenceCounter(database);
        await using var receiver = new PoliceReceiverSimulator(new PoliceReceiverOptions { Profile = ReceiverProfile.Strict });
        await receiver.StartAsync();
        await using var forwarder = ForwarderTo(receiver, "strict", null, counter, connections: 4);

        var attempts = await Task.WhenAll(Enumerable.Range(1, 12).Select(i => forwarder.ForwardAsync(Item("panic", $"g-1.1.{i}"), CancellationToken.None)));

        Assert.All(attempts, a => Assert.Equal(ForwardOutcome.Acknowledged, a.Outcome));
        var numbers = receiver.Acknowledged.Select(m => m.Frame!.Sequence).ToArray();
        Assert.Equal(12, numbers.Distinct().Count());
    }

    [Fact]
    public void Sequence_AfterRestart_ContinuesAboveEveryNumberHandedOut()
    {
        using var dir = new TempDir();
        var database = new GateDatabase(Path.Combine(dir.Path, "gate.db"));
        database.Migrate();
        var before = new Dc09SequenceCounter(database);
        var issued = Enumerable.Range(0, 5).Select(_ => before.Next("account:1234")).ToArray();

        var afterRestart = new Dc09SequenceCounter(new GateDatabase(database.FilePath));
        var next = afterRestart.Next("account:1234");

        Assert.Equal([1, 2, 3, 4, 5], issued);
        Assert.True(next > issued.Max(), $"after restart {next} must be above {issued.Max()} (a number may have gone out unrecorded)");
        Assert.Equal(1, afterRestart.Next("account:5678"));
    }

    [Fact]
    public void Sequence_AfterNineThousandNineHundredNinetyNine_WrapsToOne()
    {
        using var dir = new TempDir();
        var database = new GateDatabase(Path.Combine(dir.Path, "gate.db"));
        database.Migrate();
        var counter = new Dc09SequenceCounter(database);

        var numbers = Enumerable.Range(0, 10_000).Select(_ => counter.Next("account:1234")).ToArray();

        Assert.Equal(9999, numbers[9998]);
        Assert.Equal(1, numbers[9999]);
    }

    [Fact]
    public async Task Sequence_ResendOfAnAlarm_ReusesItsNumber()
    {
        using var dir = new TempDir();
        var database = new GateDatabase(Path.Combine(dir.Path, "gate.db"));
        database.Migrate();
        await using var receiver = new PoliceReceiverSimulator(new PoliceReceiverOptions { Profile = ReceiverProfile.Strict, Behaviour = ReceiverBehaviour.Nak });
        await receiver.StartAsync();
        await using var forwarder = ForwarderTo(receiver, "strict", null, new Dc09SequenceCounter(database));

        var first = await forwarder.ForwardAsync(Item("panic", "g-1.1.1"), CancellationToken.None);
        receiver.Behaviour = ReceiverBehaviour.Normal;
        var resend = await forwarder.ForwardAsync(Item("panic", "g-1.1.1") with { Dc09Sequence = first.Sequence }, CancellationToken.None);

        Assert.Equal(ForwardOutcome.Acknowledged, resend.Outcome);
        Assert.Equal(first.Sequence, resend.Sequence);
        Assert.Equal(first.Sequence, receiver.Acknowledged.Single().Frame!.Sequence);
    }

    private static Dc09Forwarder ForwarderTo(PoliceReceiverSimulator receiver, string profile, byte[]? key, Dc09SequenceCounter? counter = null, int connections = 1) =>
        new("primary",
            new Dc09ReceiverOptions
            {
                Host = "127.0.0.1",
                Port = receiver.TcpEndPoint!.Port,
                Profile = profile,
                Key = key is null ? null : Encoding.ASCII.GetString(key),
                KeyFormat = "ascii",
                Connections = connections,
            },
            new ForwardingOptions(),
            TimeProvider.System,
            counter);

    private static ForwardItem Item(string kind, string alarmId) =>
        new(1, new ForwardRequest(alarmId, "demo-school", "demo-school-gate-1", kind, 1, false, kind == "drill", DateTimeOffset.UtcNow, null),
            0, DateTimeOffset.UtcNow, new SchoolInfo("demo-school", "Demo", Account, 34.7466, 113.6254));

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("gate-seq-").FullName;

        public void Dispose()
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(Path, recursive: true);
        }
    }
}

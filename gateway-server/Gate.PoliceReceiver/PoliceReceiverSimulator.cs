using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gate.SiaDc09;

namespace Gate.PoliceReceiver;

/// <summary>How the simulated receiver behaves; switchable while it runs.</summary>
public enum ReceiverBehaviour
{
    /// <summary>Checks every frame and answers ACK, NAK or DUH as a real receiver would.</summary>
    Normal,

    /// <summary>Records the frame and never answers.</summary>
    Silent,

    /// <summary>Answers correctly, but only after <see cref="PoliceReceiverOptions.SlowDelay"/>.</summary>
    Slow,

    /// <summary>Answers NAK to everything.</summary>
    Nak,

    /// <summary>Answers DUH to everything.</summary>
    Duh,

    /// <summary>Sends the first half of its ACK, then closes the connection.</summary>
    DropMidFrame,

    /// <summary>Answers with bytes that are not a DC-09 frame.</summary>
    Garbage,
}

/// <summary>How much the simulated receiver forgives.</summary>
public enum ReceiverProfile
{
    /// <summary>Takes any well-formed DC-09 frame (several extended-data blocks, any characters in them).</summary>
    Lenient,

    /// <summary>
    /// Refuses what the strictest common receivers refuse, and answers in their forms. Modelled on pysiaalarm, which
    /// Home Assistant's SIA integration and other platforms build on: only SIA-DCS, ADM-CID and NULL; at most one
    /// extended-data block, and in ADM-CID only of letters, digits, '_', spaces and '^'; the header as the standard
    /// orders it; an encrypted event's pad ended by '|'; the timestamp within -40/+20 s; Contact ID codes it knows.
    /// Refusals are NAK (format, account, timestamp) or DUH (unknown code), as there. Its answers: NAK as
    /// <c>"NAK"0000L0R0A0[]_time</c> (L before R), an encrypted ACK padded with '0's and no '|', an unencrypted ACK
    /// without a timestamp, and <c>None</c> in place of a receiver number the sender did not send.
    /// </summary>
    Strict,
}

public sealed class PoliceReceiverOptions
{
    public ReceiverProfile Profile { get; init; } = ReceiverProfile.Lenient;

    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>TCP port; 0 picks a free one (read it back from <see cref="PoliceReceiverSimulator.TcpEndPoint"/>).</summary>
    public int TcpPort { get; init; }

    /// <summary>UDP port; 0 picks a free one; null disables UDP.</summary>
    public int? UdpPort { get; init; } = 0;

    /// <summary>Key for every account (hex-decoded); null accepts only unencrypted frames unless <see cref="AccountKeys"/> holds one.</summary>
    public byte[]? Key { get; init; }

    /// <summary>Keys per account, which take precedence over <see cref="Key"/>.</summary>
    public IReadOnlyDictionary<string, byte[]> AccountKeys { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>Receiver number echoed in answers (hex), or null to echo what the sender used.</summary>
    public string? Receiver { get; init; }

    /// <summary>Line prefix echoed in answers (hex), or null to echo what the sender used.</summary>
    public string? LinePrefix { get; init; }

    /// <summary>The standard's window: a message may be at most this far behind receiver time...</summary>
    public TimeSpan MaxBehind { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>...and at most this far ahead of it.</summary>
    public TimeSpan MaxAhead { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Delay before answering in <see cref="ReceiverBehaviour.Slow"/>.</summary>
    public TimeSpan SlowDelay { get; init; } = TimeSpan.FromSeconds(35);

    public ReceiverBehaviour Behaviour { get; init; } = ReceiverBehaviour.Normal;
}

/// <summary>One frame the receiver got, and what it answered.</summary>
public sealed record ReceivedMessage(
    DateTimeOffset At,
    string Transport,
    string Raw,
    SiaDc09Frame? Frame,
    ContactIdEvent? ContactId,
    string Answer,
    string Verdict);

public sealed class ReceivedMessageEventArgs(ReceivedMessage message) : EventArgs
{
    public ReceivedMessage Message { get; } = message;
}

/// <summary>
/// A DC-09 alarm receiver for the demo, the installers' bench test and the tests: listens on TCP (and UDP), checks
/// framing, length, CRC, decryption and the timestamp window (-40/+20 s), answers ACK, NAK or DUH, and records every
/// frame. <see cref="Behaviour"/> makes it misbehave on purpose.
/// </summary>
public sealed class PoliceReceiverSimulator : IAsyncDisposable
{
    private readonly PoliceReceiverOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<ReceivedMessage> _received = new();
    private readonly ConcurrentDictionary<TcpClient, byte> _connections = new();
    private CancellationTokenSource? _stop;
    private TcpListener? _listener;
    private Socket? _udp;
    private Task _tcpLoop = Task.CompletedTask;
    private Task _udpLoop = Task.CompletedTask;
    private volatile ReceiverBehaviour _behaviour;

    public PoliceReceiverSimulator(PoliceReceiverOptions? options = null, TimeProvider? time = null)
    {
        _options = options ?? new PoliceReceiverOptions();
        _time = time ?? TimeProvider.System;
        _behaviour = _options.Behaviour;
    }

    public ReceiverBehaviour Behaviour
    {
        get => _behaviour;
        set => _behaviour = value;
    }

    public IPEndPoint? TcpEndPoint { get; private set; }

    public IPEndPoint? UdpEndPoint { get; private set; }

    public bool IsRunning => _stop is not null;

    /// <summary>Raised for every frame, after the answer was chosen (and before it is sent, for slow answers).</summary>
    public event EventHandler<ReceivedMessageEventArgs>? MessageReceived;

    /// <summary>Everything received so far, oldest first.</summary>
    public IReadOnlyList<ReceivedMessage> Received => _received.ToArray();

    /// <summary>Events acknowledged (ADM-CID / SIA-DCS answered ACK), oldest first.</summary>
    public IReadOnlyList<ReceivedMessage> Acknowledged =>
        _received.Where(m => m.Answer == SiaToken.Ack && m.Frame is not null && SiaToken.IsEvent(m.Frame.Token)).ToArray();

    /// <summary>Starts listening; after <see cref="StopAsync"/> it restarts on the same ports.</summary>
    public Task StartAsync()
    {
        if (_stop is not null)
        {
            return Task.CompletedTask;
        }

        _stop = new CancellationTokenSource();
        var listener = new TcpListener(_options.Address, TcpEndPoint?.Port ?? _options.TcpPort);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        TcpEndPoint = (IPEndPoint)listener.LocalEndpoint;
        _tcpLoop = AcceptLoopAsync(listener, _stop.Token);

        if (_options.UdpPort is { } udpPort)
        {
            var udp = new Socket(_options.Address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            udp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            udp.Bind(new IPEndPoint(_options.Address, UdpEndPoint?.Port ?? udpPort));
            _udp = udp;
            UdpEndPoint = (IPEndPoint)udp.LocalEndPoint!;
            _udpLoop = UdpLoopAsync(udp, _stop.Token);
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops listening and drops every open connection: the receiver is "down".</summary>
    public async Task StopAsync()
    {
        var stop = _stop;
        if (stop is null)
        {
            return;
        }

        _stop = null;
        await stop.CancelAsync();
        _listener?.Stop();
        _udp?.Dispose();
        foreach (var connection in _connections.Keys)
        {
            connection.Dispose();
        }

        _connections.Clear();
        try
        {
            await Task.WhenAll(_tcpLoop, _udpLoop);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping is the point.
        }

        stop.Dispose();
    }

    /// <summary>Decides the answer to one frame. Public so the decision can be tested without sockets.</summary>
    public (ReceivedMessage Message, byte[]? Answer) Handle(ReadOnlySpan<byte> raw, string transport)
    {
        var now = _time.GetUtcNow();
        var rawText = Encoding.ASCII.GetString(raw).Trim('\n', '\r');
        var parsed = SiaDc09Parser.Parse(raw, KeyFor);
        var frame = parsed.Frame;
        var behaviour = _behaviour;

        string answerToken;
        string verdict;
        ContactIdEvent? contactId = null;
        if (!parsed.Ok || frame is null)
        {
            // A corrupted or undecryptable frame may be good when resent; one we cannot understand will not be.
            answerToken = parsed.Error is SiaParseError.Crc or SiaParseError.Length or SiaParseError.Framing or SiaParseError.Decryption
                ? SiaToken.Nak
                : SiaToken.Duh;
            verdict = $"{parsed.Error}: {parsed.Detail}";
        }
        else if (!SiaToken.IsEvent(frame.Token) && frame.Token != SiaToken.Null)
        {
            answerToken = SiaToken.Duh;
            verdict = $"unsupported message id '{frame.Token}'";
        }
        else if (frame.Timestamp is { } ts && (ts < now - _options.MaxBehind || ts > now + _options.MaxAhead))
        {
            answerToken = SiaToken.Nak;
            verdict = $"timestamp {ts:O} outside -{_options.MaxBehind.TotalSeconds}/+{_options.MaxAhead.TotalSeconds} s of {now:O}";
        }
        else if (frame.Token == SiaToken.ContactId && !ContactIdEvent.TryParse(frame.Data, out contactId, out _))
        {
            answerToken = _options.Profile == ReceiverProfile.Strict ? SiaToken.Nak : SiaToken.Duh;
            verdict = "ADM-CID data is not #acct|QEEE GG CCC";
        }
        else if (_options.Profile == ReceiverProfile.Strict && StrictRefusal(frame, contactId) is { } refusal)
        {
            (answerToken, verdict) = refusal;
        }
        else
        {
            answerToken = SiaToken.Ack;
            verdict = "ok";
        }

        // Misbehaviour overrides the honest answer (but the frame is still recorded as received).
        switch (behaviour)
        {
            case ReceiverBehaviour.Nak:
                answerToken = SiaToken.Nak;
                verdict += " (told to NAK)";
                break;
            case ReceiverBehaviour.Duh:
                answerToken = SiaToken.Duh;
                verdict += " (told to DUH)";
                break;
        }

        byte[]? answer = behaviour switch
        {
            ReceiverBehaviour.Silent => null,
            ReceiverBehaviour.Garbage => Encoding.ASCII.GetBytes("\n#$%GARBAGE 0000 @@@\r"),
            _ => BuildAnswer(answerToken, frame, now),
        };

        if (behaviour == ReceiverBehaviour.DropMidFrame && answer is not null)
        {
            answer = answer[..(answer.Length / 2)];
        }

        var shownAnswer = behaviour switch
        {
            ReceiverBehaviour.Silent => "(silent)",
            ReceiverBehaviour.Garbage => "(garbage)",
            ReceiverBehaviour.DropMidFrame => "(dropped mid-frame)",
            _ => answerToken,
        };
        var message = new ReceivedMessage(now, transport, rawText, frame, contactId, shownAnswer, verdict);
        _received.Enqueue(message);
        MessageReceived?.Invoke(this, new ReceivedMessageEventArgs(message));
        return (message, answer);
    }

    // Contact ID codes a strict receiver maps to an event (pysiaalarm's adm_mapping covers these and more).
    private static readonly HashSet<int> KnownContactIdCodes =
        [100, 101, 110, 120, 121, 122, 124, 125, 130, 131, 132, 133, 134, 137, 140, 144, 150, 301, 302, 305, 309, 321, 333, 350, 351, 373, 380, 401, 402, 570, 601, 602];

    private static readonly System.Text.RegularExpressions.Regex StrictAdmExtendedData = new("^[A-Za-z0-9_\\s^]*$");

    private static readonly System.Text.RegularExpressions.Regex StrictSiaData = new("^(?:#[0-9A-Fa-f]{3,16}\\|)?N?(?:ri[0-9]+/?)?[A-Z]{2}[ -~]*$");

    /// <summary>What a strict receiver refuses that a lenient one takes: the answer and the reason, or null.</summary>
    private static (string Answer, string Verdict)? StrictRefusal(SiaDc09Frame frame, ContactIdEvent? contactId)
    {
        if (frame.HeaderVariant != SiaHeaderVariant.Standard)
        {
            return (SiaToken.Nak, "header is not in the standard's order \"id\"seq Rrcvr Lpref #acct");
        }

        if (frame.ExtendedData.Count > 1)
        {
            return (SiaToken.Nak, $"{frame.ExtendedData.Count} extended-data blocks; a strict receiver parses at most one");
        }

        if (frame.Token == SiaToken.ContactId && frame.ExtendedData.Count == 1 && !StrictAdmExtendedData.IsMatch(frame.ExtendedData[0]))
        {
            return (SiaToken.Nak, "ADM-CID extended data may hold only letters, digits, '_', spaces and '^'");
        }

        if (frame.Token == SiaToken.SiaDcs && !StrictSiaData.IsMatch(frame.Data))
        {
            return (SiaToken.Nak, "SIA-DCS data is not [#acct|]N[riN/]CCzone");
        }

        if (contactId is not null && !KnownContactIdCodes.Contains(contactId.Code))
        {
            return (SiaToken.Duh, $"Contact ID code {contactId.Code:D3} is not one this receiver knows");
        }

        return null;
    }

    private byte[]? KeyFor(string? account) =>
        account is not null && _options.AccountKeys.TryGetValue(account, out var key) ? key : _options.Key;

    private byte[] BuildAnswer(string token, SiaDc09Frame? to, DateTimeOffset now)
    {
        if (_options.Profile == ReceiverProfile.Strict)
        {
            return BuildStrictAnswer(token, to, now);
        }

        if (token == SiaToken.Nak || to is null)
        {
            // The NAK carries the receiver's time so the sender can correct its clock.
            return new SiaDc09Frame
            {
                Token = token,
                Sequence = 0,
                Receiver = _options.Receiver ?? to?.Receiver ?? "0",
                LinePrefix = _options.LinePrefix ?? to?.LinePrefix ?? "0",
                NakAccountPlaceholder = true,
                Timestamp = now,
            }.Encode();
        }

        var key = to.Encrypted ? KeyFor(to.Account) : null;
        var encrypt = token == SiaToken.Ack && key is not null;
        return new SiaDc09Frame
        {
            Token = token,
            Encrypted = encrypt,
            Sequence = to.Sequence,
            Receiver = _options.Receiver ?? to.Receiver,
            LinePrefix = _options.LinePrefix ?? to.LinePrefix,
            Account = to.Account,
            Timestamp = encrypt ? now : null,
        }.Encode(key);
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            client.NoDelay = true;
            _connections[client] = 0;
            _ = ServeAsync(client, stop);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken stop)
    {
        try
        {
            var stream = client.GetStream();
            var reader = new SiaFrameReader(stream);
            while (!stop.IsCancellationRequested)
            {
                var raw = await reader.ReadFrameAsync(stop);
                if (raw is null)
                {
                    return;
                }

                var behaviour = _behaviour;
                var (_, answer) = Handle(raw, "tcp");
                if (answer is null)
                {
                    continue;
                }

                if (behaviour == ReceiverBehaviour.Slow)
                {
                    await Task.Delay(_options.SlowDelay, _time, stop);
                }

                await stream.WriteAsync(answer, stop);
                if (behaviour == ReceiverBehaviour.DropMidFrame)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or SocketException)
        {
            // The peer went away or we are stopping.
        }
        finally
        {
            _connections.TryRemove(client, out _);
            client.Dispose();
        }
    }

    private async Task UdpLoopAsync(Socket udp, CancellationToken stop)
    {
        var buffer = new byte[SiaDc09Frame.MaxFrameBytes + 16];
        while (!stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(_options.Address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0), stop);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            var behaviour = _behaviour;
            var (_, answer) = Handle(buffer.AsSpan(0, received.ReceivedBytes), "udp");
            if (answer is null)
            {
                continue;
            }

            _ = AnswerUdpAsync(udp, answer, received.RemoteEndPoint, behaviour == ReceiverBehaviour.Slow, stop);
        }
    }

    private async Task AnswerUdpAsync(Socket udp, byte[] answer, EndPoint to, bool slow, CancellationToken stop)
    {
        try
        {
            if (slow)
            {
                await Task.Delay(_options.SlowDelay, _time, stop);
            }

            await udp.SendToAsync(answer, SocketFlags.None, to, stop);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping, or the sender is gone.
        }
    }

    // The answers exactly as pysiaalarm writes them (event.py create_response).
    private byte[] BuildStrictAnswer(string token, SiaDc09Frame? to, DateTimeOffset now)
    {
        var time = SiaTimestamp.Format(now);
        if (token == SiaToken.Nak || to is null)
        {
            return SiaDc09Frame.Wrap($"\"{SiaToken.Nak}\"0000L0R0A0[]{time}");
        }

        var receiver = to.Receiver is null ? "None" : "R" + to.Receiver;
        var head = $"{to.Sequence:D4}{receiver}L{to.LinePrefix}#{to.Account}[";
        var key = to.Encrypted ? KeyFor(to.Account) : null;
        if (token == SiaToken.Ack && key is not null)
        {
            return SiaDc09Frame.Wrap($"\"*{token}\"{head}{SiaEncryption.EncryptZeroPadded("]" + time, key)}");
        }

        return SiaDc09Frame.Wrap($"\"{token}\"{head}]");
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}

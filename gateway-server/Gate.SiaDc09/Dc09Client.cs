using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Gate.SiaDc09;

public enum Dc09Transport
{
    Tcp,
    Udp,
}

/// <summary>Where one DC-09 receiver is and how to talk to it.</summary>
public sealed class Dc09ClientOptions
{
    public required string Host { get; init; }

    public required int Port { get; init; }

    public Dc09Transport Transport { get; init; } = Dc09Transport.Tcp;

    /// <summary>AES key (16, 24 or 32 bytes); null sends unencrypted.</summary>
    public byte[]? Key { get; init; }

    /// <summary>Receiver number (1-6 hex digits) or null to leave it out.</summary>
    public string? Receiver { get; init; }

    /// <summary>Account prefix / line (1-6 hex digits).</summary>
    public string LinePrefix { get; init; } = "0";

    /// <summary>Whether an unencrypted frame carries the timestamp too (encrypted frames always do).</summary>
    public bool TimestampWhenUnencrypted { get; init; } = true;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long to wait for ACK/NAK/DUH after sending.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

public enum Dc09Outcome
{
    /// <summary>The receiver acknowledged: delivered.</summary>
    Ack,

    /// <summary>NAK even after resynchronising the clock: retry later.</summary>
    Nak,

    /// <summary>The receiver cannot process the message: surface it, do not resend it unchanged.</summary>
    Duh,

    /// <summary>No answer in time.</summary>
    Timeout,

    /// <summary>Could not connect or send.</summary>
    ConnectionFailed,

    /// <summary>The receiver closed the connection before answering (possibly mid-frame).</summary>
    ConnectionClosed,

    /// <summary>The answer was not a DC-09 response we can use.</summary>
    Garbage,
}

/// <summary>What happened to one message. <paramref name="Response"/> is the answer's body as received, for the trail.</summary>
public sealed record Dc09Result(Dc09Outcome Outcome, int Sequence, TimeSpan Latency, string? Response, string Detail, int NakResyncs = 0)
{
    public bool Acknowledged => Outcome == Dc09Outcome.Ack;
}

/// <summary>
/// Sends DC-09 messages to one receiver and waits for its answer. Keeps one TCP connection open between messages
/// (a new connection per alarm would add a handshake to every alarm), and drops it after any failure so a late
/// answer to an old message can never be read as the answer to a new one. One message is in flight at a time.
/// Keeps the receiver's clock offset learned from NAKs, so timestamps fall inside its window.
/// </summary>
public sealed class Dc09Client : IAsyncDisposable
{
    private readonly Dc09ClientOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _sequence;
    private TcpClient? _tcp;
    private SiaFrameReader? _reader;
    private Socket? _udp;
    private long _clockOffsetTicks;
    private int _failureGeneration;

    public Dc09Client(Dc09ClientOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Key is not null && !SiaEncryption.IsValidKeyLength(options.Key.Length))
        {
            throw new ArgumentException("The DC-09 key must be 16, 24 or 32 bytes.", nameof(options));
        }

        _options = options;
        _time = time ?? TimeProvider.System;
    }

    public Dc09ClientOptions Options => _options;

    /// <summary>Receiver time minus our time, learned from the last NAK.</summary>
    public TimeSpan ClockOffset => TimeSpan.FromTicks(Interlocked.Read(ref _clockOffsetTicks));

    /// <summary>Next sequence number: 0001 to 9999, then 0001 again.</summary>
    public int NextSequence()
    {
        while (true)
        {
            var current = Volatile.Read(ref _sequence);
            var next = current >= 9999 ? 1 : current + 1;
            if (Interlocked.CompareExchange(ref _sequence, next, current) == current)
            {
                return next;
            }
        }
    }

    /// <summary>
    /// Sends an event (ADM-CID or SIA-DCS) and waits for the answer. <paramref name="sequence"/> is the message's own
    /// number when the caller keeps one per account (a resend must reuse it); null takes this connection's next.
    /// </summary>
    public Task<Dc09Result> SendEventAsync(string token, string account, string data, IReadOnlyList<string>? extendedData, CancellationToken cancellationToken, int? sequence = null)
        => SendAsync(token, account, data, extendedData ?? [], sequence, cancellationToken);

    /// <summary>Sends a NULL supervision message (link test) and waits for the answer.</summary>
    public Task<Dc09Result> SendNullAsync(string account, CancellationToken cancellationToken, int? sequence = null)
        => SendAsync(SiaToken.Null, account, string.Empty, [], sequence, cancellationToken);

    private async Task<Dc09Result> SendAsync(string token, string account, string data, IReadOnlyList<string> extendedData, int? fixedSequence, CancellationToken cancellationToken)
    {
        if (fixedSequence is < 1 or > 9999)
        {
            throw new ArgumentOutOfRangeException(nameof(fixedSequence), "A DC-09 sequence number is 0001-9999.");
        }

        var generation = Volatile.Read(ref _failureGeneration);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (generation != Volatile.Read(ref _failureGeneration))
            {
                // The link failed while this message queued behind another: say so at once rather than make it wait
                // out a timeout of its own, so the caller can take the next path.
                return new Dc09Result(Dc09Outcome.ConnectionFailed, 0, TimeSpan.Zero, null, "the receiver failed while this message waited for the link");
            }

            var sequence = fixedSequence ?? NextSequence();
            var started = _time.GetTimestamp();
            var resyncs = 0;
            while (true)
            {
                var frame = new SiaDc09Frame
                {
                    Token = token,
                    Encrypted = _options.Key is not null,
                    Sequence = sequence,
                    Receiver = _options.Receiver,
                    LinePrefix = _options.LinePrefix,
                    Account = account,
                    Data = data,
                    ExtendedData = extendedData,
                    Timestamp = _options.Key is not null || _options.TimestampWhenUnencrypted ? _time.GetUtcNow() + ClockOffset : null,
                };
                var result = await ExchangeAsync(frame, cancellationToken);
                if (result.Outcome == Dc09Outcome.Nak && resyncs == 0 && result.NakTime is { } receiverTime)
                {
                    // NAK = timestamp rejected: adopt the receiver's clock and resend once at once (same sequence).
                    Interlocked.Exchange(ref _clockOffsetTicks, (receiverTime - _time.GetUtcNow()).Ticks);
                    resyncs++;
                    continue;
                }

                if (result.Outcome is Dc09Outcome.Timeout or Dc09Outcome.ConnectionFailed or Dc09Outcome.ConnectionClosed or Dc09Outcome.Garbage)
                {
                    Interlocked.Increment(ref _failureGeneration);
                }

                return new Dc09Result(result.Outcome, sequence, _time.GetElapsedTime(started), result.Response, result.Detail, resyncs);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private readonly record struct Exchange(Dc09Outcome Outcome, string? Response, string Detail, DateTimeOffset? NakTime = null);

    private async Task<Exchange> ExchangeAsync(SiaDc09Frame frame, CancellationToken cancellationToken)
    {
        var bytes = frame.Encode(_options.Key);
        return _options.Transport == Dc09Transport.Udp
            ? await ExchangeUdpAsync(frame, bytes, cancellationToken)
            : await ExchangeTcpAsync(frame, bytes, cancellationToken);
    }

    private async Task<Exchange> ExchangeTcpAsync(SiaDc09Frame frame, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            if (_tcp is null)
            {
                var tcp = new TcpClient { NoDelay = true };
                using (var connectTimeout = new CancellationTokenSource(_options.ConnectTimeout, _time))
                using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, connectTimeout.Token))
                {
                    try
                    {
                        await tcp.ConnectAsync(_options.Host, _options.Port, linked.Token);
                    }
                    catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                    {
                        tcp.Dispose();
                        return new Exchange(Dc09Outcome.ConnectionFailed, null, $"connect {_options.Host}:{_options.Port}: {ex.Message}");
                    }
                }

                _tcp = tcp;
                _reader = new SiaFrameReader(tcp.GetStream());
            }

            var stream = _tcp.GetStream();
            using var timeout = new CancellationTokenSource(_options.ResponseTimeout, _time);
            using var linkedToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                await stream.WriteAsync(bytes, linkedToken.Token);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                DropConnection();
                return new Exchange(Dc09Outcome.ConnectionFailed, null, $"send: {ex.Message}");
            }

            while (true)
            {
                byte[]? answer;
                try
                {
                    answer = await _reader!.ReadFrameAsync(linkedToken.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    DropConnection();
                    return new Exchange(Dc09Outcome.Timeout, null, $"no answer within {_options.ResponseTimeout.TotalSeconds:0.###} s");
                }
                catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
                {
                    DropConnection();
                    return new Exchange(Dc09Outcome.ConnectionClosed, null, $"receive: {ex.Message}");
                }

                if (answer is null)
                {
                    var midFrame = _reader!.Pending > 0 ? " mid-frame" : string.Empty;
                    DropConnection();
                    return new Exchange(Dc09Outcome.ConnectionClosed, null, "receiver closed the connection" + midFrame);
                }

                var verdict = Judge(frame, answer);
                if (verdict is { } decided)
                {
                    if (decided.Outcome is not Dc09Outcome.Ack)
                    {
                        DropConnection();
                    }

                    return decided;
                }

                // An answer to an earlier message (late ACK after a timeout we already gave up on): keep waiting.
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            DropConnection();
            throw;
        }
    }

    private async Task<Exchange> ExchangeUdpAsync(SiaDc09Frame frame, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            if (_udp is null)
            {
                var udp = new Socket(SocketType.Dgram, ProtocolType.Udp);
                try
                {
                    await udp.ConnectAsync(_options.Host, _options.Port, cancellationToken);
                }
                catch (SocketException ex)
                {
                    udp.Dispose();
                    return new Exchange(Dc09Outcome.ConnectionFailed, null, $"udp {_options.Host}:{_options.Port}: {ex.Message}");
                }

                _udp = udp;
            }

            using var timeout = new CancellationTokenSource(_options.ResponseTimeout, _time);
            using var linkedToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            await _udp.SendAsync(bytes, SocketFlags.None, linkedToken.Token);
            var buffer = new byte[SiaDc09Frame.MaxFrameBytes + 16];
            while (true)
            {
                int received;
                try
                {
                    received = await _udp.ReceiveAsync(buffer, SocketFlags.None, linkedToken.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return new Exchange(Dc09Outcome.Timeout, null, $"no answer within {_options.ResponseTimeout.TotalSeconds:0.###} s");
                }

                var verdict = Judge(frame, buffer.AsSpan(0, received).ToArray());
                if (verdict is { } decided)
                {
                    return decided;
                }
            }
        }
        catch (SocketException ex)
        {
            // ICMP port unreachable surfaces here: the receiver is not listening.
            DropConnection();
            return new Exchange(Dc09Outcome.ConnectionFailed, null, $"udp: {ex.Message}");
        }
    }

    /// <summary>Null means "not the answer to this message, keep waiting".</summary>
    private Exchange? Judge(SiaDc09Frame sent, byte[] answer)
    {
        var text = Encoding.ASCII.GetString(answer).Trim('\n', '\r');
        if (answer.Length == 0 || answer[0] != SiaDc09Frame.StartByte || answer[^1] != SiaDc09Frame.EndByte)
        {
            return new Exchange(Dc09Outcome.Garbage, text, "answer is not an LF ... CR frame");
        }

        var parsed = SiaDc09Parser.Parse(answer, _ => _options.Key);
        if (!parsed.Ok || parsed.Frame is null)
        {
            return new Exchange(Dc09Outcome.Garbage, text, $"answer refused: {parsed.Error} ({parsed.Detail})");
        }

        var frame = parsed.Frame;
        var body = text.Length > 8 ? text[8..] : text;
        switch (frame.Token)
        {
            case SiaToken.Nak:
                return new Exchange(Dc09Outcome.Nak, body, "receiver answered NAK", frame.Timestamp);
            case SiaToken.Ack:
                if (frame.Sequence != sent.Sequence
                    || (frame.Account is not null && !string.Equals(frame.Account, sent.Account, StringComparison.OrdinalIgnoreCase)))
                {
                    return null;
                }

                if (sent.Encrypted && !frame.Encrypted)
                {
                    return new Exchange(Dc09Outcome.Garbage, body, "unencrypted ACK to an encrypted message");
                }

                return new Exchange(Dc09Outcome.Ack, body, "acknowledged");
            case SiaToken.Duh:
                if (frame.Sequence != 0 && frame.Sequence != sent.Sequence)
                {
                    return null;
                }

                return new Exchange(Dc09Outcome.Duh, body, "receiver cannot process the message (DUH)");
            default:
                return new Exchange(Dc09Outcome.Garbage, body, $"unexpected '{frame.Token}' in answer");
        }
    }

    private void DropConnection()
    {
        _tcp?.Dispose();
        _tcp = null;
        _reader = null;
        _udp?.Dispose();
        _udp = null;
    }

    public ValueTask DisposeAsync()
    {
        DropConnection();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }
}

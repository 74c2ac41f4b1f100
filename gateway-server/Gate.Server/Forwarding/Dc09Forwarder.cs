using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Gate.SiaDc09;

namespace Gate.Server.Forwarding;

/// <summary>
/// Sends alarms to one DC-09 receiver as ADM-CID (Contact ID) events with the school's account, and tests the link
/// with NULL messages. Extended data carries the alarm id (so the receiving centre can de-duplicate a resend), the
/// gate's device and the school's coordinates. Keeps <see cref="Dc09ReceiverOptions.Connections"/> connections and
/// sends each alarm on whichever is free: one connection carries one message at a time, which capped a city-wide
/// burst at a few hundred alarms a second. When a send fails, the alarms waiting for a connection are released at once
/// to try the next path instead of each waiting out its own timeout on a dead link.
/// </summary>
public sealed partial class Dc09Forwarder : IAlarmForwarder, IAsyncDisposable
{
    private readonly Dc09Client[] _clients;
    private readonly System.Threading.Channels.Channel<Dc09Client> _idle;
    private readonly ForwardingOptions _options;
    private readonly object _failureLock = new();

    /// <summary>Cancelled when a send on this link fails: alarms waiting for a connection move on to the next path.</summary>
    private CancellationTokenSource _failure = new();

    private readonly Dc09SequenceCounter? _sequences;

    // Under the path policy a resend keeps its number only for the life of the process (the stored number is the
    // account counter's).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _pathNumbers = new(StringComparer.Ordinal);

    public Dc09Forwarder(string path, Dc09ReceiverOptions receiver, ForwardingOptions options, TimeProvider time, Dc09SequenceCounter? sequences = null)
    {
        Path = path;
        Receiver = receiver.ToString();
        Profile = receiver.ResolveProfile();
        _sequences = sequences;
        _options = options;
        _clients = Enumerable.Range(0, Math.Max(1, receiver.Connections)).Select(_ => new Dc09Client(receiver.ToClientOptions(), time)).ToArray();
        _idle = System.Threading.Channels.Channel.CreateUnbounded<Dc09Client>();
        foreach (var client in _clients)
        {
            _idle.Writer.TryWrite(client);
        }
    }

    public string Path { get; }

    /// <summary>The receiver family's profile: token, extended data, sequence policy.</summary>
    public SiaReceiverProfile Profile { get; }

    public string Receiver { get; }

    public bool SupportsSupervision => true;

    /// <summary>The first connection (supervision's, and the one tests look at).</summary>
    public Dc09Client Client => _clients[0];

    public int Connections => _clients.Length;

    public async Task<ForwardAttempt> ForwardAsync(ForwardItem item, CancellationToken cancellationToken)
    {
        var account = item.School?.PoliceAccount?.Trim();
        if (string.IsNullOrEmpty(account))
        {
            return ForwardAttempt.NotSendable($"school '{item.Request.SchoolId}' has no police account (schools.police_account)");
        }

        if (SiaAccount.AccountProblem(account) is { } problem)
        {
            return ForwardAttempt.NotSendable($"school '{item.Request.SchoolId}' police account {problem}");
        }

        account = account.ToUpperInvariant();
        var request = item.Request;
        var contactId = ContactIdMap.ToEvent(request.Kind, request.Restore, request.Zone, _options.Partition);
        CancellationToken failure;
        lock (_failureLock)
        {
            failure = _failure.Token;
        }

        Dc09Client client;
        using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, failure))
        {
            try
            {
                client = await _idle.Reader.ReadAsync(waiting.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new ForwardAttempt(ForwardOutcome.Failed, "SKIPPED", $"{Path} failed while this alarm waited for it", TimeSpan.Zero);
            }
        }

        // Failed until the send says otherwise: a send that throws has failed the link as much as a timeout.
        var attempt = new ForwardAttempt(ForwardOutcome.Failed, "ERROR", "send failed", TimeSpan.Zero);
        try
        {
            var sequence = SequenceFor(item, account);
            var data = Profile.Token == SiaToken.SiaDcs ? SiaDcsEvent.ToDataBlock(account, contactId) : contactId.ToDataBlock(account);
            var result = await client.SendEventAsync(Profile.Token, account, data, ExtendedData(item, Profile.ExtendedData), cancellationToken, sequence);
            attempt = ToAttempt(result) with { Sequence = sequence };
            return attempt;
        }
        finally
        {
            if (attempt.Outcome == ForwardOutcome.Failed)
            {
                // Release the waiters before the connection is handed on, or the next alarm in line would be sent
                // down the link that just failed instead of going to the backup.
                ReleaseWaiters();
            }

            _idle.Writer.TryWrite(client);
        }
    }

    // The alarm's own number when it has one (a resend), else the next of its account's (or this path's) counter.
    private int? SequenceFor(ForwardItem item, string account)
    {
        if (_sequences is null)
        {
            return null;
        }

        if (Profile.Sequence == SiaSequencePolicy.Path)
        {
            return _pathNumbers.GetOrAdd(item.Request.AlarmId, _ => _sequences.Next(Dc09SequenceCounter.KeyFor(SiaSequencePolicy.Path, account, Path)));
        }

        return item.Dc09Sequence ?? _sequences.Next(Dc09SequenceCounter.KeyFor(SiaSequencePolicy.Account, account, Path));
    }

    private void ReleaseWaiters()
    {
        CancellationTokenSource failed;
        lock (_failureLock)
        {
            failed = _failure;
            _failure = new CancellationTokenSource();
        }

        failed.Cancel();
        failed.Dispose();
    }

    /// <summary>NULL on the first connection (each connection is its own TCP session; one answering proves the receiver does).</summary>
    public async Task<ForwardAttempt> SuperviseAsync(CancellationToken cancellationToken)
    {
        var account = _options.SupervisionAccount.ToUpperInvariant();
        var sequence = _sequences?.Next(Dc09SequenceCounter.KeyFor(Profile.Sequence, account, Path));
        return ToAttempt(await _clients[0].SendNullAsync(account, cancellationToken, sequence));
    }

    /// <summary>
    /// The extended data blocks for one alarm as the profile wants them: none; one [I] block with the alarm id in the
    /// characters strict receivers take in an ADM-CID x-data block (letters, digits, '_', space, '^'); or all of
    /// I (alarm text: id and kind), L (location: the gate), X/Y (the school's coordinates).
    /// </summary>
    public static IReadOnlyList<string> ExtendedData(ForwardItem item, SiaExtendedData mode = SiaExtendedData.Full)
    {
        var request = item.Request;
        if (mode == SiaExtendedData.None)
        {
            return [];
        }

        if (mode == SiaExtendedData.AlarmId)
        {
            return ["I" + WordsOnly(request.AlarmId, 60)];
        }

        var fields = new List<string>
        {
            "I" + Clean($"alarm {request.AlarmId} {request.Kind}{(request.Restore ? " restore" : string.Empty)}{(request.IsTest ? " test" : string.Empty)}{(request.Detail is { Length: > 0 } d ? " " + d : string.Empty)}", 120),
            "L" + Clean($"school {request.SchoolId} gate {request.DeviceId} zone {request.Zone}", 120),
        };
        if (item.School is { Latitude: { } lat, Longitude: { } lon })
        {
            fields.Add("X" + lon.ToString("0.######", CultureInfo.InvariantCulture));
            fields.Add("Y" + lat.ToString("0.######", CultureInfo.InvariantCulture));
        }

        return fields;
    }

    // Extended data travels as printable ASCII and may not contain the frame's delimiters.
    private static string Clean(string text, int max)
    {
        var builder = new StringBuilder(Math.Min(text.Length, max));
        foreach (var c in text)
        {
            if (builder.Length >= max)
            {
                break;
            }

            builder.Append(c is >= ' ' and <= '~' && c is not '[' and not ']' and not '|' ? c : '?');
        }

        return builder.ToString();
    }

    private static string WordsOnly(string text, int max)
    {
        var builder = new StringBuilder(Math.Min(text.Length, max));
        foreach (var c in text)
        {
            if (builder.Length >= max)
            {
                break;
            }

            builder.Append(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' ? c : '_');
        }

        return builder.ToString();
    }

    private static ForwardAttempt ToAttempt(Dc09Result result)
    {
        var outcome = result.Outcome switch
        {
            Dc09Outcome.Ack => ForwardOutcome.Acknowledged,
            Dc09Outcome.Duh => ForwardOutcome.Rejected,
            _ => ForwardOutcome.Failed,
        };
        var detail = result.NakResyncs > 0 ? $"{result.Detail} (after clock resync)" : result.Detail;
        return new ForwardAttempt(outcome, result.Response ?? result.Outcome.ToString().ToUpperInvariant(), detail, result.Latency);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
    }
}

using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Gate.PoliceReceiver;
using Gate.SiaDc09;

// police-sim: a thin command over PoliceReceiverSimulator. Everything it checks and answers lives in the library,
// so the tests, the demo and the installers' bench test exercise the same receiver.

var host = new Option<string>("--host") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
var port = new Option<int>("--port") { Description = "TCP port (0 picks a free one).", DefaultValueFactory = _ => 12000 };
var udpPort = new Option<int?>("--udp-port") { Description = "Also listen on this UDP port (0 picks a free one)." };
var key = new Option<string?>("--key") { Description = "AES key for every account, 32/48/64 hex digits (AES-128/192/256)." };
var accountKeys = new Option<string[]>("--account-key") { Description = "Key for one account, ACCOUNT=HEX; repeatable.", AllowMultipleArgumentsPerToken = false };
var receiver = new Option<string?>("--receiver") { Description = "Receiver number to answer with (hex); default echoes the sender's." };
var line = new Option<string?>("--line") { Description = "Line prefix to answer with (hex); default echoes the sender's." };
var behaviour = new Option<string>("--behaviour") { Description = "normal | silent | slow | nak | duh | drop | garbage", DefaultValueFactory = _ => "normal" };
var slowSeconds = new Option<double>("--slow-seconds") { Description = "Delay before answering in 'slow' mode.", DefaultValueFactory = _ => 35 };
var profile = new Option<string>("--profile") { Description = "lenient | strict (refuses and answers as the strictest common receivers, e.g. pysiaalarm; docs/forwarding.md).", DefaultValueFactory = _ => "lenient" };
var keyFormat = new Option<string>("--key-format") { Description = "hex (32/48/64 hex digits) | ascii (16/24/32 characters whose bytes are the key).", DefaultValueFactory = _ => "hex" };
var log = new Option<FileInfo?>("--log") { Description = "Append every frame received as a JSON line to this file." };

var root = new RootCommand("DC-09 police receiver simulator: checks CRC, length, timestamp window and decryption, answers ACK/NAK/DUH, records what it got.")
{
    host, port, udpPort, key, accountKeys, receiver, line, behaviour, slowSeconds, profile, keyFormat, log,
};

root.SetAction(async (parse, cancellationToken) =>
{
    if (!IPAddress.TryParse(parse.GetValue(host), out var address))
    {
        Console.Error.WriteLine($"--host: '{parse.GetValue(host)}' is not an IP address.");
        return 2;
    }

    if (!TryBehaviour(parse.GetValue(behaviour)!, out var mode))
    {
        Console.Error.WriteLine($"--behaviour: '{parse.GetValue(behaviour)}' is not one of normal, silent, slow, nak, duh, drop, garbage.");
        return 2;
    }

    var receiverProfile = parse.GetValue(profile)?.ToLowerInvariant() switch
    {
        "lenient" => (ReceiverProfile?)ReceiverProfile.Lenient,
        "strict" => ReceiverProfile.Strict,
        _ => null,
    };
    if (receiverProfile is null)
    {
        Console.Error.WriteLine($"--profile: '{parse.GetValue(profile)}' is not lenient or strict.");
        return 2;
    }

    var format = parse.GetValue(keyFormat)?.ToLowerInvariant() switch
    {
        "hex" => (SiaKeyFormat?)SiaKeyFormat.Hex,
        "ascii" => SiaKeyFormat.Ascii,
        _ => null,
    };
    if (format is null)
    {
        Console.Error.WriteLine($"--key-format: '{parse.GetValue(keyFormat)}' is not hex or ascii.");
        return 2;
    }

    byte[]? sharedKey = null;
    if (parse.GetValue(key) is { Length: > 0 } keyText && !SiaEncryption.TryParseKey(keyText, format.Value, out sharedKey))
    {
        Console.Error.WriteLine(format == SiaKeyFormat.Hex ? "--key: must be 32, 48 or 64 hex digits." : "--key: must be 16, 24 or 32 printable characters.");
        return 2;
    }

    var keys = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
    foreach (var entry in parse.GetValue(accountKeys) ?? [])
    {
        var parts = entry.Split('=', 2);
        if (parts.Length != 2 || !SiaEncryption.TryParseKey(parts[1], format.Value, out var accountKey))
        {
            Console.Error.WriteLine($"--account-key: '{entry}' is not ACCOUNT=HEX with a 32/48/64 hex digit key.");
            return 2;
        }

        keys[parts[0].ToUpperInvariant()] = accountKey;
    }

    var options = new PoliceReceiverOptions
    {
        Address = address,
        TcpPort = parse.GetValue(port),
        UdpPort = parse.GetValue(udpPort),
        Key = sharedKey,
        AccountKeys = keys,
        Receiver = parse.GetValue(receiver),
        LinePrefix = parse.GetValue(line),
        Behaviour = mode,
        Profile = receiverProfile.Value,
        SlowDelay = TimeSpan.FromSeconds(parse.GetValue(slowSeconds)),
    };

    var logFile = parse.GetValue(log);
    var writeLock = new object();
    await using var simulator = new PoliceReceiverSimulator(options);
    simulator.MessageReceived += (_, e) =>
    {
        var m = e.Message;
        var alarmId = m.Frame?.ExtendedData.FirstOrDefault(x => x.StartsWith("Ialarm ", StringComparison.Ordinal))?.Split(' ')[1];
        lock (writeLock)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{m.At:HH:mm:ss.fff} {m.Transport} {(m.Frame?.Encrypted == true ? "*" : " ")}{m.Frame?.Token ?? "?",-7} #{m.Frame?.Account ?? "-",-8} {m.ContactId?.ToString() ?? "",-11} {(alarmId is null ? "" : "alarm=" + alarmId)} -> {m.Answer} ({m.Verdict})"));
            if (logFile is not null)
            {
                File.AppendAllText(logFile.FullName, JsonSerializer.Serialize(new
                {
                    at = m.At,
                    transport = m.Transport,
                    token = m.Frame?.Token,
                    encrypted = m.Frame?.Encrypted,
                    sequence = m.Frame?.Sequence,
                    account = m.Frame?.Account,
                    contactId = m.ContactId?.ToString(),
                    data = m.Frame?.Data,
                    extendedData = m.Frame?.ExtendedData,
                    timestamp = m.Frame?.Timestamp,
                    alarmId,
                    answer = m.Answer,
                    verdict = m.Verdict,
                    raw = m.Raw,
                }) + Environment.NewLine);
            }
        }
    };

    await simulator.StartAsync();
    Console.WriteLine($"police-sim listening on tcp {simulator.TcpEndPoint}{(simulator.UdpEndPoint is { } udp ? $" and udp {udp}" : "")}, " +
        $"{(sharedKey is null && keys.Count == 0 ? "unencrypted" : "encrypted accepted")}, behaviour {mode.ToString().ToLowerInvariant()}. Ctrl+C stops.");
    try
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
    catch (OperationCanceledException)
    {
    }

    Console.WriteLine($"police-sim stopping: {simulator.Received.Count} frame(s) received, {simulator.Acknowledged.Count} event(s) acknowledged.");
    return 0;
});

return await root.Parse(args).InvokeAsync();

static bool TryBehaviour(string word, out ReceiverBehaviour behaviour)
{
    behaviour = word.ToLowerInvariant() switch
    {
        "normal" => ReceiverBehaviour.Normal,
        "silent" => ReceiverBehaviour.Silent,
        "slow" => ReceiverBehaviour.Slow,
        "nak" => ReceiverBehaviour.Nak,
        "duh" => ReceiverBehaviour.Duh,
        "drop" => ReceiverBehaviour.DropMidFrame,
        "garbage" => ReceiverBehaviour.Garbage,
        _ => (ReceiverBehaviour)(-1),
    };
    return Enum.IsDefined(behaviour);
}

using System.Globalization;
using System.Text.RegularExpressions;
using Gate.SiaDc09;
using Microsoft.Extensions.Options;

namespace Gate.Server.Forwarding;

/// <summary>Where alarms go and how hard we try. Bound from the "Forwarding" section; validated at start-up.</summary>
public sealed class ForwardingOptions
{
    public const string Section = "Forwarding";

    /// <summary>The police receiver alarms go to first.</summary>
    public Dc09ReceiverOptions? Primary { get; set; }

    /// <summary>The second path (dual path): used while the primary fails; we fail back when it answers again.</summary>
    public Dc09ReceiverOptions? Backup { get; set; }

    /// <summary>For provincial platforms that take HTTP instead of (or after) DC-09.</summary>
    public WebhookOptions? Webhook { get; set; }

    /// <summary>
    /// Interval of DC-09 NULL link tests per receiver. EN 50136-1 categories run from 25 hours (DP1/SP1) down to
    /// 20 seconds (SP6/DP4); null or zero switches supervision off.
    /// </summary>
    public TimeSpan? SupervisionInterval { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>The account the gateway itself uses for NULL messages (3-16 hex digits).</summary>
    public string SupervisionAccount { get; set; } = "0000";

    /// <summary>Contact ID partition (group) our events carry; schools have one gate partition.</summary>
    public int Partition { get; set; } = 1;

    public ForwardingRetryOptions Retry { get; set; } = new();

    /// <summary>How many schools are delivered for at once (each school stays in order).</summary>
    public int MaxParallelSchools { get; set; } = 64;

    public bool AnyPathConfigured => Primary is not null || Backup is not null || Webhook is not null;
}

public sealed class Dc09ReceiverOptions
{
    public string Host { get; set; } = string.Empty;

    public int Port { get; set; }

    /// <summary>"tcp" or "udp".</summary>
    public string Transport { get; set; } = "tcp";

    /// <summary>
    /// The receiver family's profile (docs/forwarding.md): "strict" (default: ADM-CID, no extended data), "one-block"
    /// (the alarm id in one [I] block), "full" ([I][L][X][Y]), "sia-dcs" (SIA-DCS event codes, no extended data).
    /// </summary>
    public string Profile { get; set; } = SiaReceiverProfile.Strict.Name;

    /// <summary>Overrides the profile's extended data: "none", "alarm-id" or "full".</summary>
    public string? ExtendedData { get; set; }

    /// <summary>Overrides the profile's sequence counting: "account" (default) or "path".</summary>
    public string? Sequence { get; set; }

    /// <summary>Overrides whether unencrypted frames carry a timestamp (encrypted ones always do).</summary>
    public bool? TimestampWhenUnencrypted { get; set; }

    /// <summary>AES key (AES-128/192/256) in the form <see cref="KeyFormat"/> says; empty sends unencrypted.</summary>
    public string? Key { get; set; }

    /// <summary>
    /// "hex" (default: 32, 48 or 64 hex digits) or "ascii" (16, 24 or 32 characters whose bytes are the key, as
    /// pysiaalarm and several panels take it). Never guessed: a 32-character hex string is a valid key in both forms.
    /// </summary>
    public string KeyFormat { get; set; } = "hex";

    /// <summary>
    /// Receiver number, 1-6 hex digits; "0" by default, because receivers echo it in their answers and some (pysiaalarm)
    /// answer with a broken header when it is absent. Empty leaves it out.
    /// </summary>
    public string? Receiver { get; set; } = "0";

    /// <summary>Account prefix (line), 1-6 hex digits.</summary>
    public string LinePrefix { get; set; } = "0";

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// TCP connections kept to this receiver. DC-09 carries one message at a time per connection (send, wait for ACK),
    /// so this is how many alarms of different schools can be in flight at once; each school stays in order.
    /// </summary>
    public int Connections { get; set; } = 4;

    internal SiaKeyFormat ParsedKeyFormat =>
        string.Equals(KeyFormat, "ascii", StringComparison.OrdinalIgnoreCase) ? SiaKeyFormat.Ascii : SiaKeyFormat.Hex;

    /// <summary>The named profile with this receiver's overrides applied (call after validation).</summary>
    internal SiaReceiverProfile ResolveProfile()
    {
        var profile = SiaReceiverProfile.Find(Profile) ?? SiaReceiverProfile.Strict;
        if (ExtendedData is { Length: > 0 } x)
        {
            profile = profile with { ExtendedData = ParseExtendedData(x) ?? profile.ExtendedData };
        }

        if (Sequence is { Length: > 0 } q)
        {
            profile = profile with { Sequence = string.Equals(q, "path", StringComparison.OrdinalIgnoreCase) ? SiaSequencePolicy.Path : SiaSequencePolicy.Account };
        }

        if (TimestampWhenUnencrypted is { } ts)
        {
            profile = profile with { TimestampWhenUnencrypted = ts };
        }

        return profile;
    }

    internal static SiaExtendedData? ParseExtendedData(string text) => text.Trim().ToLowerInvariant() switch
    {
        "none" => SiaExtendedData.None,
        "alarm-id" => SiaExtendedData.AlarmId,
        "full" => SiaExtendedData.Full,
        _ => null,
    };

    internal Dc09ClientOptions ToClientOptions()
    {
        SiaEncryption.TryParseKey(Key, ParsedKeyFormat, out var key);
        return new Dc09ClientOptions
        {
            TimestampWhenUnencrypted = ResolveProfile().TimestampWhenUnencrypted,
            Host = Host,
            Port = Port,
            Transport = string.Equals(Transport, "udp", StringComparison.OrdinalIgnoreCase) ? Dc09Transport.Udp : Dc09Transport.Tcp,
            Key = string.IsNullOrWhiteSpace(Key) ? null : key,
            Receiver = string.IsNullOrWhiteSpace(Receiver) ? null : Receiver.ToUpperInvariant(),
            LinePrefix = LinePrefix.ToUpperInvariant(),
            ConnectTimeout = ConnectTimeout,
            ResponseTimeout = ResponseTimeout,
        };
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"dc09+{Transport.ToLowerInvariant()}://{Host}:{Port}");
}

public sealed class WebhookOptions
{
    public string Url { get; set; } = string.Empty;

    /// <summary>Shared secret for the HMAC-SHA256 signature header; at least 16 characters.</summary>
    public string Secret { get; set; } = string.Empty;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}

public sealed class ForwardingRetryOptions
{
    /// <summary>Wait before the second attempt; doubles per attempt up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>After this many failed rounds (every path tried) the alarm is raised as a delivery trouble.</summary>
    public int TroubleAfterAttempts { get; set; } = 3;

    /// <summary>After a path fails, alarms skip it for this long (the backup takes them) while supervision probes it.</summary>
    public TimeSpan PathRetryAfter { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Start-up checks with messages that say which setting is wrong and what it should look like.</summary>
public sealed partial class ForwardingOptionsValidator : IValidateOptions<ForwardingOptions>
{
    [GeneratedRegex("^[0-9A-Fa-f]{1,6}$")]
    private static partial Regex HexPrefix();


    public ValidateOptionsResult Validate(string? name, ForwardingOptions options)
    {
        var failures = new List<string>();
        ValidateReceiver("Forwarding:Primary", options.Primary, failures);
        ValidateReceiver("Forwarding:Backup", options.Backup, failures);

        if (options.Webhook is { } webhook)
        {
            if (!Uri.TryCreate(webhook.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"Forwarding:Webhook:Url must be an absolute http(s) URL, got '{webhook.Url}'.");
            }

            if (string.IsNullOrEmpty(webhook.Secret) || webhook.Secret.Length < 16)
            {
                failures.Add("Forwarding:Webhook:Secret must be at least 16 characters (it signs every request with HMAC-SHA256).");
            }

            if (webhook.Timeout <= TimeSpan.Zero || webhook.Timeout > TimeSpan.FromMinutes(2))
            {
                failures.Add("Forwarding:Webhook:Timeout must be between 00:00:00.001 and 00:02:00.");
            }
        }

        if (options.SupervisionInterval is { } interval && interval != TimeSpan.Zero
            && (interval < TimeSpan.FromSeconds(20) || interval > TimeSpan.FromHours(25)))
        {
            failures.Add($"Forwarding:SupervisionInterval must be between 00:00:20 and 1.01:00:00 (EN 50136-1 categories), or 0 to switch it off; got {interval}.");
        }

        if (!SiaAccount.IsValidAccount(options.SupervisionAccount))
        {
            failures.Add($"Forwarding:SupervisionAccount must be 3-16 hex digits, got '{options.SupervisionAccount}'.");
        }

        if (options.Partition is < 0 or > 99)
        {
            failures.Add("Forwarding:Partition must be 0-99 (Contact ID group).");
        }

        if (options.MaxParallelSchools is < 1 or > 256)
        {
            failures.Add("Forwarding:MaxParallelSchools must be 1-256.");
        }

        var retry = options.Retry ?? new ForwardingRetryOptions();
        if (retry.InitialDelay < TimeSpan.FromMilliseconds(10) || retry.InitialDelay > retry.MaxDelay)
        {
            failures.Add("Forwarding:Retry:InitialDelay must be at least 00:00:00.010 and not above Forwarding:Retry:MaxDelay.");
        }

        if (retry.MaxDelay > TimeSpan.FromHours(1))
        {
            failures.Add("Forwarding:Retry:MaxDelay must be at most 01:00:00: an alarm is never left untried for longer.");
        }

        if (retry.TroubleAfterAttempts is < 1 or > 100)
        {
            failures.Add("Forwarding:Retry:TroubleAfterAttempts must be 1-100.");
        }

        if (retry.PathRetryAfter < TimeSpan.Zero || retry.PathRetryAfter > TimeSpan.FromHours(1))
        {
            failures.Add("Forwarding:Retry:PathRetryAfter must be between 0 and 01:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateReceiver(string section, Dc09ReceiverOptions? receiver, List<string> failures)
    {
        if (receiver is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(receiver.Host))
        {
            failures.Add($"{section}:Host must name the police receiver (host name or IP address).");
        }

        if (receiver.Port is < 1 or > 65535)
        {
            failures.Add($"{section}:Port must be 1-65535, got {receiver.Port}.");
        }

        if (!string.Equals(receiver.Transport, "tcp", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(receiver.Transport, "udp", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{section}:Transport must be 'tcp' or 'udp', got '{receiver.Transport}'.");
        }

        if (SiaReceiverProfile.Find(receiver.Profile) is null)
        {
            failures.Add($"{section}:Profile must be one of {string.Join(", ", SiaReceiverProfile.All.Select(p => p.Name))}, got '{receiver.Profile}'.");
        }

        if (receiver.ExtendedData is { Length: > 0 } x && Dc09ReceiverOptions.ParseExtendedData(x) is null)
        {
            failures.Add($"{section}:ExtendedData must be 'none', 'alarm-id' or 'full', got '{x}'.");
        }

        if (receiver.Sequence is { Length: > 0 } q && !q.Equals("account", StringComparison.OrdinalIgnoreCase) && !q.Equals("path", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"{section}:Sequence must be 'account' or 'path', got '{q}'.");
        }

        var keyFormatKnown = string.Equals(receiver.KeyFormat, "hex", StringComparison.OrdinalIgnoreCase)
            || string.Equals(receiver.KeyFormat, "ascii", StringComparison.OrdinalIgnoreCase);
        if (!keyFormatKnown)
        {
            failures.Add($"{section}:KeyFormat must be 'hex' or 'ascii', got '{receiver.KeyFormat}'.");
        }
        else if (!string.IsNullOrWhiteSpace(receiver.Key) && !SiaEncryption.TryParseKey(receiver.Key, receiver.ParsedKeyFormat, out _))
        {
            failures.Add(receiver.ParsedKeyFormat == SiaKeyFormat.Hex
                ? $"{section}:Key must be 32, 48 or 64 hex digits (AES-128/192/256) with KeyFormat 'hex', or empty for unencrypted."
                : $"{section}:Key must be 16, 24 or 32 printable characters (AES-128/192/256) with KeyFormat 'ascii', or empty for unencrypted.");
        }

        if (!string.IsNullOrWhiteSpace(receiver.Receiver) && !HexPrefix().IsMatch(receiver.Receiver))
        {
            failures.Add($"{section}:Receiver must be 1-6 hex digits, got '{receiver.Receiver}'.");
        }

        if (!HexPrefix().IsMatch(receiver.LinePrefix ?? string.Empty))
        {
            failures.Add($"{section}:LinePrefix must be 1-6 hex digits, got '{receiver.LinePrefix}'.");
        }

        if (receiver.ConnectTimeout <= TimeSpan.Zero || receiver.ConnectTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{section}:ConnectTimeout must be between 00:00:00.001 and 00:01:00.");
        }

        if (receiver.Connections is < 1 or > 64)
        {
            failures.Add($"{section}:Connections must be 1-64.");
        }

        if (receiver.ResponseTimeout <= TimeSpan.Zero || receiver.ResponseTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{section}:ResponseTimeout must be between 00:00:00.001 and 00:01:00.");
        }
    }
}

using System.Globalization;
using System.Text;

namespace Gate.SiaDc09;

/// <summary>The message ids (tokens) this implementation sends and understands.</summary>
public static class SiaToken
{
    public const string SiaDcs = "SIA-DCS";
    public const string ContactId = "ADM-CID";
    public const string Null = "NULL";
    public const string Ack = "ACK";
    public const string Nak = "NAK";
    public const string Duh = "DUH";

    public static bool IsEvent(string token) => token is SiaDcs or ContactId;

    public static bool IsResponse(string token) => token is Ack or Nak or Duh;
}

/// <summary>Header layouts seen from real receivers besides the standard's (see <see cref="SiaDc09Parser"/>).</summary>
public enum SiaHeaderVariant
{
    /// <summary>seq [Rrcvr] Lpref, as the standard writes it.</summary>
    Standard,

    /// <summary>seq Lpref Rrcvr: pysiaalarm's NAK.</summary>
    LineBeforeReceiver,

    /// <summary>seq None Lpref: pysiaalarm's answer to a frame that carried no receiver number.</summary>
    ReceiverNone,
}

/// <summary>
/// One ANSI/SIA DC-09 frame: <c>LF crc 0LLL "[*]id" seq [Rrcvr] Lpref [#acct] [data] [x-data]... [timestamp] CR</c>.
/// CRC and length cover everything from the first quote to the end of the timestamp; when the frame is encrypted the
/// part after '[' (data, extended data and timestamp) is sent as AES ciphertext in hex (see <see cref="SiaEncryption"/>).
/// </summary>
public sealed class SiaDc09Frame
{
    public const byte StartByte = (byte)'\n';
    public const byte EndByte = (byte)'\r';

    /// <summary>Longest frame either side accepts; anything longer is garbage, not a message.</summary>
    public const int MaxFrameBytes = 2048;

    /// <summary>Message id without quotes or '*': SIA-DCS, ADM-CID, NULL, ACK, NAK, DUH.</summary>
    public required string Token { get; init; }

    /// <summary>Whether the frame is (to be) encrypted: the token is sent as "*TOKEN".</summary>
    public bool Encrypted { get; init; }

    /// <summary>0001 to 9999 (0000 in a NAK).</summary>
    public int Sequence { get; init; }

    /// <summary>Receiver number, 1-6 hex digits without the 'R'; null when not sent.</summary>
    public string? Receiver { get; init; }

    /// <summary>Account prefix (line), 1-6 hex digits without the 'L'.</summary>
    public string LinePrefix { get; init; } = "0";

    /// <summary>Account, 3-16 hex digits without the '#'; null when not sent.</summary>
    public string? Account { get; init; }

    /// <summary>The data between '[' and ']', e.g. <c>#12345A|1110 00 129</c>; empty for NULL and responses.</summary>
    public string Data { get; init; } = string.Empty;

    /// <summary>Extended data fields, each an identifier letter followed by its value, sent as <c>[Xvalue]</c>.</summary>
    public IReadOnlyList<string> ExtendedData { get; init; } = [];

    /// <summary>UTC time of the message; required when encrypted.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>
    /// The part a response carries as "A0" instead of an account (the NAK of the standard); kept only so a parsed NAK
    /// can be written back unchanged.
    /// </summary>
    public bool NakAccountPlaceholder { get; init; }

    /// <summary>How the header was laid out when parsed; frames we build are always <see cref="SiaHeaderVariant.Standard"/>.</summary>
    public SiaHeaderVariant HeaderVariant { get; init; }

    /// <summary>The ASCII text from the first quote to the end of the timestamp: what the CRC and length cover.</summary>
    public string BuildBody(byte[]? key = null)
    {
        if (Encrypted && key is null)
        {
            throw new InvalidOperationException("An encrypted DC-09 frame needs a key.");
        }

        if (Encrypted && Timestamp is null)
        {
            throw new InvalidOperationException("An encrypted DC-09 frame must carry a timestamp.");
        }

        var head = new StringBuilder(64);
        head.Append('"');
        if (Encrypted)
        {
            head.Append('*');
        }

        head.Append(Token).Append('"');
        head.Append(Sequence.ToString("D4", CultureInfo.InvariantCulture));
        if (Receiver is not null)
        {
            head.Append('R').Append(Receiver);
        }

        head.Append('L').Append(LinePrefix);
        if (NakAccountPlaceholder)
        {
            head.Append("A0");
        }
        else if (Account is not null)
        {
            head.Append('#').Append(Account);
        }

        head.Append('[');

        var content = new StringBuilder(64);
        content.Append(Data).Append(']');
        foreach (var field in ExtendedData)
        {
            content.Append('[').Append(field).Append(']');
        }

        if (Timestamp is { } ts)
        {
            content.Append(SiaTimestamp.Format(ts));
        }

        if (Encrypted)
        {
            head.Append(SiaEncryption.Encrypt(content.ToString(), key!));
        }
        else
        {
            head.Append(content);
        }

        return head.ToString();
    }

    /// <summary>The complete frame on the wire: LF, CRC, length, body, CR.</summary>
    public byte[] Encode(byte[]? key = null) => Wrap(BuildBody(key));

    /// <summary>Puts LF, CRC, length and CR around an already built body.</summary>
    public static byte[] Wrap(string body)
    {
        var bodyBytes = Encoding.ASCII.GetBytes(body);
        if (bodyBytes.Length > 0x0FFF)
        {
            throw new ArgumentException("A DC-09 frame body is at most 4095 characters.", nameof(body));
        }

        var frame = new byte[1 + 4 + 4 + bodyBytes.Length + 1];
        frame[0] = StartByte;
        Encoding.ASCII.GetBytes(SiaCrc.ToHex(bodyBytes), frame.AsSpan(1, 4));
        Encoding.ASCII.GetBytes(bodyBytes.Length.ToString("X4", CultureInfo.InvariantCulture), frame.AsSpan(5, 4));
        bodyBytes.CopyTo(frame, 9);
        frame[^1] = EndByte;
        return frame;
    }

    public override string ToString() => BuildBodyForDisplay();

    private string BuildBodyForDisplay() =>
        Encrypted ? $"\"*{Token}\"{Sequence:D4} #{Account} (encrypted)" : BuildBody();
}

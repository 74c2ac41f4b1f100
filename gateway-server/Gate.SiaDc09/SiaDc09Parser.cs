using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Gate.SiaDc09;

/// <summary>Why a frame was refused. Each maps to one receiver answer (see Gate.PoliceReceiver's PoliceReceiverSimulator).</summary>
public enum SiaParseError
{
    None,

    /// <summary>Not LF ... CR, not ASCII, or too short to hold CRC and length.</summary>
    Framing,

    /// <summary>The length field does not match the body.</summary>
    Length,

    /// <summary>The CRC does not match the body.</summary>
    Crc,

    /// <summary>The header or content does not follow the DC-09 layout.</summary>
    Format,

    /// <summary>Encrypted, but no key is known for the account.</summary>
    NoKey,

    /// <summary>The ciphertext does not decrypt to a DC-09 content with the key held.</summary>
    Decryption,

    /// <summary>Encrypted without a timestamp, which the standard forbids.</summary>
    MissingTimestamp,
}

public sealed record SiaDc09ParseResult(SiaDc09Frame? Frame, SiaParseError Error, string Detail)
{
    public bool Ok => Error == SiaParseError.None;
}

/// <summary>Reads DC-09 frames. Never throws on bad input: every refusal is a <see cref="SiaParseError"/>.</summary>
public static partial class SiaDc09Parser
{
    // The standard's order is Rrcvr then Lpref. Real receivers also answer "NAK"0000L0R0A0[] (L first, pysiaalarm's
    // NAK) and, when the sender sent no receiver number, "ACK"0001NoneL0#acct[] (pysiaalarm writes Python's None where
    // the R field was absent). Both are accepted and marked, so a strict receiver can still refuse them in events.
    [GeneratedRegex("""^"(?<enc>\*)?(?<token>[A-Z][A-Z-]{1,15})"(?<seq>[0-9]{4})(?:(?:R(?<rcv>[0-9A-Fa-f]{1,6}))?L(?<line>[0-9A-Fa-f]{1,6}?)|L(?<line>[0-9A-Fa-f]{1,6}?)R(?<rcv>[0-9A-Fa-f]{1,6})(?<lfirst>)|(?<none>None)L(?<line>[0-9A-Fa-f]{1,6}?))(?:#(?<acct>[0-9A-Fa-f]{3,16})|(?<nakacct>A0))?\[""", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderRegex();

    /// <summary>
    /// Parses one frame. <paramref name="raw"/> may include the leading LF and trailing CR. <paramref name="keyFor"/>
    /// returns the key for an account (or null when none is held); it is asked only for encrypted frames.
    /// </summary>
    public static SiaDc09ParseResult Parse(ReadOnlySpan<byte> raw, Func<string?, byte[]?>? keyFor = null)
    {
        if (raw.Length > 0 && raw[0] == SiaDc09Frame.StartByte)
        {
            raw = raw[1..];
        }

        if (raw.Length > 0 && raw[^1] == SiaDc09Frame.EndByte)
        {
            raw = raw[..^1];
        }

        if (raw.Length < 9 || raw.Length > SiaDc09Frame.MaxFrameBytes)
        {
            return Fail(SiaParseError.Framing, "frame too short or too long");
        }

        foreach (var b in raw)
        {
            if (b < 0x20 || b > 0x7E)
            {
                return Fail(SiaParseError.Framing, "non-printable byte in frame");
            }
        }

        var text = Encoding.ASCII.GetString(raw);
        if (!ushort.TryParse(text.AsSpan(0, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var crc)
            || !ushort.TryParse(text.AsSpan(4, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var length))
        {
            return Fail(SiaParseError.Framing, "CRC or length is not hex");
        }

        var body = text[8..];
        if (length != body.Length)
        {
            return Fail(SiaParseError.Length, $"length field {length} but body has {body.Length}");
        }

        var actual = SiaCrc.Compute(raw[8..]);
        if (actual != crc)
        {
            return Fail(SiaParseError.Crc, $"CRC {crc:X4} but body gives {actual:X4}");
        }

        return ParseBody(body, keyFor);
    }

    /// <summary>Parses a body (first quote to end of timestamp) whose CRC and length are already checked.</summary>
    public static SiaDc09ParseResult ParseBody(string body, Func<string?, byte[]?>? keyFor = null)
    {
        var header = HeaderRegex().Match(body);
        if (!header.Success)
        {
            return Fail(SiaParseError.Format, "header is not \"id\"seq[Rrcvr]Lpref[#acct][");
        }

        var encrypted = header.Groups["enc"].Success;
        var account = header.Groups["acct"].Success ? header.Groups["acct"].Value.ToUpperInvariant() : null;
        var content = body[header.Length..];

        if (encrypted)
        {
            var key = keyFor?.Invoke(account);
            if (key is null)
            {
                return Fail(SiaParseError.NoKey, $"encrypted frame for account {account ?? "(none)"} but no key is held");
            }

            if (!SiaEncryption.TryDecrypt(content, key, out content, out var padDelimited))
            {
                return Fail(SiaParseError.Decryption, "ciphertext does not decrypt with the key held");
            }

            if (!padDelimited && !SiaToken.IsResponse(header.Groups["token"].Value))
            {
                // Without the '|' the pad cannot be told from the data; only an answer, whose data is empty, may omit it.
                return Fail(SiaParseError.Decryption, "decrypted pad is not ended by '|'");
            }
        }

        // content = data ']' ('[' xdata ']')* [timestamp]
        var close = content.IndexOf(']');
        if (close < 0)
        {
            return Fail(SiaParseError.Format, "data block has no ']'");
        }

        var data = content[..close];
        if (data.Contains('['))
        {
            return Fail(SiaParseError.Format, "'[' inside the data block");
        }

        var rest = content.AsSpan(close + 1);
        var extended = new List<string>();
        while (rest.Length > 0 && rest[0] == '[')
        {
            var end = rest.IndexOf(']');
            if (end < 0)
            {
                return Fail(SiaParseError.Format, "extended data has no ']'");
            }

            extended.Add(rest[1..end].ToString());
            rest = rest[(end + 1)..];
        }

        DateTimeOffset? timestamp = null;
        if (rest.Length > 0)
        {
            if (!SiaTimestamp.TryParse(rest, out var ts))
            {
                return Fail(SiaParseError.Format, "trailing text is not a _HH:MM:SS,MM-DD-YYYY timestamp");
            }

            timestamp = ts;
        }

        if (encrypted && timestamp is null)
        {
            return Fail(SiaParseError.MissingTimestamp, "encrypted frame without timestamp");
        }

        var frame = new SiaDc09Frame
        {
            Token = header.Groups["token"].Value,
            Encrypted = encrypted,
            Sequence = int.Parse(header.Groups["seq"].Value, CultureInfo.InvariantCulture),
            Receiver = header.Groups["rcv"].Success ? header.Groups["rcv"].Value.ToUpperInvariant() : null,
            LinePrefix = header.Groups["line"].Value.ToUpperInvariant(),
            Account = account,
            NakAccountPlaceholder = header.Groups["nakacct"].Success,
            HeaderVariant = header.Groups["lfirst"].Success ? SiaHeaderVariant.LineBeforeReceiver
                : header.Groups["none"].Success ? SiaHeaderVariant.ReceiverNone
                : SiaHeaderVariant.Standard,
            Data = data,
            ExtendedData = extended,
            Timestamp = timestamp,
        };
        return new SiaDc09ParseResult(frame, SiaParseError.None, string.Empty);
    }

    private static SiaDc09ParseResult Fail(SiaParseError error, string detail) => new(null, error, detail);
}

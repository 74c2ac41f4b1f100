using System.Globalization;
using System.Text.RegularExpressions;

namespace Gate.SiaDc09;

/// <summary>
/// One Ademco Contact ID event as DC-09 carries it in an ADM-CID data block: <c>#acct|QEEE GG CCC</c>, where Q is the
/// qualifier (1 new event, 3 restore, 6 status), EEE the event code, GG the partition (group) and CCC the zone or user.
/// </summary>
public sealed partial record ContactIdEvent(int Qualifier, int Code, int Partition, int Zone)
{
    public const int NewEvent = 1;
    public const int Restore = 3;
    public const int Status = 6;

    [GeneratedRegex("^(?:#(?<acct>[0-9A-Fa-f]{3,16})\\|)?(?<q>[136])(?<e>[0-9]{3}) (?<p>[0-9]{2}) (?<z>[0-9]{3})$", RegexOptions.CultureInvariant)]
    private static partial Regex DataRegex();

    /// <summary>The ADM-CID data block content (between '[' and ']').</summary>
    public string ToDataBlock(string account) =>
        string.Create(CultureInfo.InvariantCulture, $"#{account}|{Qualifier}{Code:D3} {Partition:D2} {Zone:D3}");

    public static bool TryParse(string data, out ContactIdEvent? contactId, out string? account)
    {
        contactId = null;
        account = null;
        var match = DataRegex().Match(data);
        if (!match.Success || !int.TryParse(match.Groups["e"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return false;
        }

        account = match.Groups["acct"].Success ? match.Groups["acct"].Value.ToUpperInvariant() : null;
        contactId = new ContactIdEvent(
            match.Groups["q"].Value[0] - '0',
            code,
            int.Parse(match.Groups["p"].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups["z"].Value, CultureInfo.InvariantCulture));
        return true;
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Qualifier}{Code:D3} {Partition:D2} {Zone:D3}");
}

using System.Globalization;

namespace Gate.SiaDc09;

/// <summary>
/// The same event as SIA-DCS (SIA DC-03 event codes) for receivers that take SIA-DCS rather than ADM-CID:
/// <c>#acct|Nri{area}/{code}{zone}</c>, e.g. <c>#1234|Nri1/PA001</c>. Each Contact ID code of
/// <see cref="ContactIdMap"/> has its SIA pair (alarm, restore) here, as receivers map them back.
/// </summary>
public static class SiaDcsEvent
{
    private static readonly Dictionary<int, (string Alarm, string Restore)> Codes = new()
    {
        [120] = ("PA", "PH"),
        [121] = ("HA", "HH"),
        [122] = ("HA", "HH"),
        [131] = ("BA", "BH"),
        [137] = ("TA", "TR"),
        [140] = ("BA", "BH"),
        [144] = ("TA", "TR"),
        [301] = ("AT", "AR"),
        [302] = ("YT", "YR"),
        [350] = ("YC", "YK"),
        [380] = ("YX", "YZ"),
        [601] = ("RX", "RX"),
        [602] = ("RP", "RP"),
    };

    public static bool Covers(int contactIdCode) => Codes.ContainsKey(contactIdCode);

    /// <summary>The two-letter SIA code for a Contact ID event; unknown codes go as a general alarm (BA/BH).</summary>
    public static string CodeFor(ContactIdEvent contactId)
    {
        var pair = Codes.TryGetValue(contactId.Code, out var known) ? known : (Alarm: "BA", Restore: "BH");
        return contactId.Qualifier == ContactIdEvent.Restore ? pair.Restore : pair.Alarm;
    }

    public static string ToDataBlock(string account, ContactIdEvent contactId) =>
        string.Create(CultureInfo.InvariantCulture, $"#{account}|Nri{contactId.Partition}/{CodeFor(contactId)}{contactId.Zone:D3}");
}

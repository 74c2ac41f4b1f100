using System.Globalization;
using System.Net;

namespace Gate.Server.Tests;

/// <summary>Server settings that make a test's police receiver simulator the primary DC-09 path over TCP.</summary>
internal static class PolicePath
{
    public static Dictionary<string, string?> Primary(IPEndPoint receiver) => new()
    {
        ["Forwarding:Primary:Host"] = "127.0.0.1",
        ["Forwarding:Primary:Port"] = receiver.Port.ToString(CultureInfo.InvariantCulture),
        ["Forwarding:Primary:Transport"] = "tcp",
        ["Forwarding:Primary:ResponseTimeout"] = "00:00:05",
    };
}

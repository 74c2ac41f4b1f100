using System.Text.RegularExpressions;

namespace Gate.SiaDc09;

/// <summary>
/// The rules for the identifiers a DC-09 header carries. One place, used by the forwarder, the API, gate-admin and
/// configuration binding, so a value that cannot be delivered can never be stored.
/// </summary>
public static partial class SiaAccount
{
    [GeneratedRegex("^[0-9A-Fa-f]{3,16}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountPattern();

    [GeneratedRegex("^[0-9A-Fa-f]{1,6}$", RegexOptions.CultureInvariant)]
    private static partial Regex PrefixPattern();

    /// <summary>Why an account is refused, or null when it is valid (3-16 hex digits).</summary>
    public static string? AccountProblem(string? account) =>
        account is not null && AccountPattern().IsMatch(account)
            ? null
            : $"'{account}' is not a DC-09 account: 3-16 hex digits (0-9, A-F), e.g. 1234 or 00A1B2";

    public static bool IsValidAccount(string? account) => AccountProblem(account) is null;

    /// <summary>Receiver number or line prefix: 1-6 hex digits.</summary>
    public static bool IsValidPrefix(string? prefix) => prefix is not null && PrefixPattern().IsMatch(prefix);
}

using Gate.Server.Security;

namespace Gate.Server.Validation;

/// <summary>What user accounts, API keys and the notes people write on alarms may hold.</summary>
public static class PersonFields
{
    public const int PasswordMinLength = 10;

    /// <summary>Long enough for any passphrase, short enough that hashing it costs what hashing any password costs.</summary>
    public const int PasswordMaxLength = 256;

    public static readonly TextRule ApiKeyName = new(64, Required: true);

    /// <summary>A duty officer's note on acknowledging or resolving an alarm.</summary>
    public static readonly TextRule AlarmNote = new(500, Multiline: true);

    /// <summary>Resolving closes the alarm for good: the note says what happened (the duty console asks for it too).</summary>
    public static readonly TextRule ResolveNote = new(500, Required: true, Multiline: true);

    public static string? CheckUserName(string? name) => DeviceFields.CheckId(name) is null ? null : "1-32 characters of a-z, 0-9 and '-'";

    public static string? CheckPassword(string? password) =>
        password is null || password.Length < PasswordMinLength || password.Length > PasswordMaxLength
            ? $"{PasswordMinLength}-{PasswordMaxLength} characters"
            : null;

    public static string? CheckRoles(string[]? roles) =>
        roles is null || roles.Length == 0 || !roles.All(Roles.IsKnown) ? "one or more of " + string.Join(", ", Roles.All) : null;
}

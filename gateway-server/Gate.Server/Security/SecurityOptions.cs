namespace Gate.Server.Security;

public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>
    /// Password for the first "admin" account, created when no user exists. Empty: a random one is generated and written
    /// to <see cref="AdminPasswordFile"/> (mode 0600); its path is logged, the password never is.
    /// </summary>
    public string? AdminPassword { get; set; }

    /// <summary>Where a generated first admin password is written; relative to the database folder.</summary>
    public string AdminPasswordFile { get; set; } = "admin-password.txt";

    /// <summary>How long a person's login lasts without activity.</summary>
    public int SessionHours { get; set; } = 12;
}

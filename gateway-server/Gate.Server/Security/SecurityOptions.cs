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

    /// <summary>Consecutive failed logins for one user name before it is locked.</summary>
    public int LockoutThreshold { get; set; } = 5;

    /// <summary>The first lock's length; each further failure while the name is still failing doubles it.</summary>
    public int LockoutFirstSeconds { get; set; } = 60;

    /// <summary>The longest lock, so an attacker cannot lock the admin out for days.</summary>
    public int LockoutMaxSeconds { get; set; } = 3600;

    /// <summary>Login attempts one address may make per minute (any user names), before 429.</summary>
    public int LoginPermitsPerMinute { get; set; } = 30;

    /// <summary>Requests per minute one address may make to the other endpoints that need no login (/health, OpenAPI, logout).</summary>
    public int AnonymousPermitsPerMinute { get; set; } = 600;

    /// <summary>
    /// Origins (scheme://host:port) besides the server's own that may send cookie-authenticated changes: the address the
    /// status page is reached by when a reverse proxy rewrites Host.
    /// </summary>
    public string[] TrustedOrigins { get; set; } = [];
}

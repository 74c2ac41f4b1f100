namespace Gate.Testing;

/// <summary>What every test server starts with: the first admin's password and the fake clock's first instant.</summary>
public static class GateServerDefaults
{
    public const string AdminPassword = "admin-password-for-tests";
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
}

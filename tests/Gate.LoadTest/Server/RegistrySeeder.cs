using Gate.Server.Security;
using Gate.Server.Storage;

namespace Gate.LoadTest.Server;

/// <summary>
/// Registers thousands of schools and devices before the server starts, through the server's own
/// <see cref="GateDatabase"/> (schema migrations) and <see cref="SecretHasher"/> (Mosquitto-style "$6$" hash), in one
/// transaction. The HTTP API registers one device per request with a fresh secret, a durable insert each: right for
/// an installer, minutes for 15,000 devices. The server reads the registry at start-up, so seeding first is enough.
/// Layout: one gate controller per school (a campus), all with the same secret. Device n is "lt-d{n:D5}"; its
/// school is "lt-c{k}-s{j+1:D3}" for child process k = n / perProcess and j = n % perProcess, which is exactly what
/// the firmware's Swarm names with SchoolPrefix "lt-c{k}-s", StartIndex k*perProcess and Schools = its count.
/// </summary>
public static class RegistrySeeder
{
    public const string Secret = "load-test-secret-not-for-production";

    public const string DevicePrefix = "lt-d";

    public static string SchoolPrefix(int child) => $"lt-c{child}-s";

    public static string SchoolId(int n, int perProcess) => SchoolPrefix(n / perProcess) + (n % perProcess + 1).ToString("D3", System.Globalization.CultureInfo.InvariantCulture);

    public static string DeviceId(int n) => DevicePrefix + n.ToString("D5", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>3-16 hex digits, as the DC-09 forwarder requires of schools.police_account.</summary>
    public static string PoliceAccount(int n) => (0x10000 + n).ToString("X5", System.Globalization.CultureInfo.InvariantCulture);

    public static void Seed(string databasePath, int devices, int heartbeatSeconds, int perProcess)
    {
        var database = new GateDatabase(databasePath);
        database.Migrate();
        var hash = SecretHasher.HashDeviceSecret(Secret);
        var now = DateTimeOffset.UtcNow.ToString("O");
        using var connection = database.Open();
        using var tx = connection.BeginTransaction();
        using var school = connection.CreateCommand();
        school.Transaction = tx;
        school.CommandText = """
            INSERT OR IGNORE INTO schools(id, name, district, address, latitude, longitude, police_account, created_at)
            VALUES ($id, $name, 'load test', '', NULL, NULL, $police, $t);
            """;
        var sId = school.Parameters.Add("$id", Microsoft.Data.Sqlite.SqliteType.Text);
        var sName = school.Parameters.Add("$name", Microsoft.Data.Sqlite.SqliteType.Text);
        var sPolice = school.Parameters.Add("$police", Microsoft.Data.Sqlite.SqliteType.Text);
        school.Parameters.AddWithValue("$t", now);

        using var device = connection.CreateCommand();
        device.Transaction = tx;
        device.CommandText = """
            INSERT OR IGNORE INTO devices(id, school_id, role, credential_hash, heartbeat_interval_s, created_at)
            VALUES ($id, $school, 'gate', $hash, $interval, $t);
            """;
        var dId = device.Parameters.Add("$id", Microsoft.Data.Sqlite.SqliteType.Text);
        var dSchool = device.Parameters.Add("$school", Microsoft.Data.Sqlite.SqliteType.Text);
        device.Parameters.AddWithValue("$hash", hash);
        device.Parameters.AddWithValue("$interval", heartbeatSeconds);
        device.Parameters.AddWithValue("$t", now);

        for (var n = 0; n < devices; n++)
        {
            sId.Value = SchoolId(n, perProcess);
            sName.Value = $"Load test school {n}";
            sPolice.Value = PoliceAccount(n);
            school.ExecuteNonQuery();
            dId.Value = DeviceId(n);
            dSchool.Value = SchoolId(n, perProcess);
            device.ExecuteNonQuery();
        }

        tx.Commit();
    }
}

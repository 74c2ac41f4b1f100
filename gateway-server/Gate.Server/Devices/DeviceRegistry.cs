using System.Collections.Concurrent;
using Gate.Server.Storage;
using Microsoft.Data.Sqlite;

namespace Gate.Server.Devices;

public sealed record School(string Id, string Name, string District, string Address, double? Latitude, double? Longitude, string? PoliceAccount);

public sealed record DeviceRecord(
    string Id,
    string SchoolId,
    string Role,
    string? Firmware,
    string? CredentialHash,
    DateTimeOffset? CredentialRevokedAt,
    int HeartbeatIntervalSeconds,
    DateTimeOffset CreatedAt)
{
    public bool CanConnect => CredentialHash is not null && CredentialRevokedAt is null;
}

/// <summary>
/// Schools and devices in SQLite, with every device also held in memory: the broker checks a credential and the
/// ingest path looks up a device's school on every message, and neither may wait on a query at 17,000 messages/s.
/// </summary>
public sealed class DeviceRegistry
{
    private readonly GateDatabase _database;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, DeviceRecord> _devices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _firmwareToWrite = new(StringComparer.Ordinal);

    public DeviceRegistry(GateDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, school_id, role, firmware, credential_hash, credential_revoked_at, heartbeat_interval_s, created_at FROM devices;";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var device = ReadDevice(reader);
            _devices[device.Id] = device;
        }
    }

    public event Action<DeviceRecord>? DeviceChanged;

    public int Count => _devices.Count;

    public DeviceRecord? Find(string deviceId) => _devices.TryGetValue(deviceId, out var d) ? d : null;

    public IEnumerable<DeviceRecord> All => _devices.Values;

    public IReadOnlyList<School> ListSchools()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, district, address, latitude, longitude, police_account FROM schools ORDER BY district, name;";
        using var reader = command.ExecuteReader();
        var schools = new List<School>();
        while (reader.Read())
        {
            schools.Add(ReadSchool(reader));
        }

        return schools;
    }

    public School? FindSchool(string id)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, district, address, latitude, longitude, police_account FROM schools WHERE id = $id;";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadSchool(reader) : null;
    }

    /// <summary>Creates or updates a school. Returns true when it was created.</summary>
    public bool UpsertSchool(School school)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO schools(id, name, district, address, latitude, longitude, police_account, created_at)
            VALUES ($id, $name, $district, $address, $lat, $lon, $police, $t)
            ON CONFLICT(id) DO UPDATE SET name = excluded.name, district = excluded.district, address = excluded.address,
                latitude = excluded.latitude, longitude = excluded.longitude, police_account = excluded.police_account
            RETURNING created_at = $t;
            """;
        command.Parameters.AddWithValue("$id", school.Id);
        command.Parameters.AddWithValue("$name", school.Name);
        command.Parameters.AddWithValue("$district", school.District);
        command.Parameters.AddWithValue("$address", school.Address);
        command.Parameters.AddWithValue("$lat", (object?)school.Latitude ?? DBNull.Value);
        command.Parameters.AddWithValue("$lon", (object?)school.Longitude ?? DBNull.Value);
        command.Parameters.AddWithValue("$police", (object?)school.PoliceAccount ?? DBNull.Value);
        command.Parameters.AddWithValue("$t", StoredTime.Format(_time.GetUtcNow()));
        return Convert.ToInt64(command.ExecuteScalar()) == 1;
    }

    /// <summary>Registers a device with a fresh credential and returns the secret (only its hash is kept).</summary>
    public (DeviceRecord Device, string Secret)? Register(string deviceId, string schoolId, string role, int heartbeatIntervalSeconds)
    {
        var secret = Security.SecretHasher.NewSecret();
        var device = new DeviceRecord(deviceId, schoolId, role, null, Security.SecretHasher.HashDeviceSecret(secret), null, heartbeatIntervalSeconds, _time.GetUtcNow());
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT OR IGNORE INTO devices(id, school_id, role, credential_hash, heartbeat_interval_s, created_at)
            SELECT $id, $school, $role, $hash, $interval, $t WHERE EXISTS (SELECT 1 FROM schools WHERE id = $school);
            """;
        command.Parameters.AddWithValue("$id", device.Id);
        command.Parameters.AddWithValue("$school", device.SchoolId);
        command.Parameters.AddWithValue("$role", device.Role);
        command.Parameters.AddWithValue("$hash", device.CredentialHash);
        command.Parameters.AddWithValue("$interval", device.HeartbeatIntervalSeconds);
        command.Parameters.AddWithValue("$t", StoredTime.Format(device.CreatedAt));
        if (command.ExecuteNonQuery() != 1)
        {
            return null;
        }

        _devices[device.Id] = device;
        DeviceChanged?.Invoke(device);
        return (device, secret);
    }

    /// <summary>Issues a new credential (the old one stops working at once) and returns the secret.</summary>
    public string? RotateCredential(string deviceId)
    {
        var secret = Security.SecretHasher.NewSecret();
        var hash = Security.SecretHasher.HashDeviceSecret(secret);
        return Update(deviceId, "UPDATE devices SET credential_hash = $v, credential_revoked_at = NULL WHERE id = $id;", hash,
            d => d with { CredentialHash = hash, CredentialRevokedAt = null }) ? secret : null;
    }

    public bool RevokeCredential(string deviceId)
    {
        var now = _time.GetUtcNow();
        return Update(deviceId, "UPDATE devices SET credential_revoked_at = $v WHERE id = $id;", StoredTime.Format(now),
            d => d with { CredentialRevokedAt = now });
    }

    /// <summary>
    /// Remembers the firmware a device reported: in memory at once, on disk with the next <see cref="PersistFirmware"/>.
    /// Called from the heartbeat path, which must not wait on the disk: after a server upgrade all 15,000 gates report
    /// "new" firmware in their first heartbeat, and one durable UPDATE each locked the database for the alarm writer.
    /// A crash before the write loses nothing that matters: the next heartbeat reports the version again.
    /// </summary>
    public void NoteFirmware(string deviceId, string firmware)
    {
        while (_devices.TryGetValue(deviceId, out var current) && current.Firmware != firmware)
        {
            var updated = current with { Firmware = firmware };
            if (_devices.TryUpdate(deviceId, updated, current))
            {
                _firmwareToWrite[deviceId] = firmware;
                DeviceChanged?.Invoke(updated);
                return;
            }
        }
    }

    /// <summary>Firmware versions noted but not yet written.</summary>
    public int PendingFirmwareWrites => _firmwareToWrite.Count;

    /// <summary>Writes every firmware version noted since the last call, in one transaction. Returns how many.</summary>
    public int PersistFirmware()
    {
        var batch = new List<KeyValuePair<string, string>>();
        foreach (var deviceId in _firmwareToWrite.Keys)
        {
            if (_firmwareToWrite.TryRemove(deviceId, out var firmware))
            {
                batch.Add(new(deviceId, firmware));
            }
        }

        if (batch.Count == 0)
        {
            return 0;
        }

        try
        {
            using var connection = _database.Open();
            using var tx = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "UPDATE devices SET firmware = $v WHERE id = $id;";
            var id = command.Parameters.Add("$id", SqliteType.Text);
            var version = command.Parameters.Add("$v", SqliteType.Text);
            foreach (var (deviceId, firmware) in batch)
            {
                id.Value = deviceId;
                version.Value = firmware;
                command.ExecuteNonQuery();
            }

            tx.Commit();
            return batch.Count;
        }
        catch
        {
            // Keep them for the next try, unless a newer version was noted meanwhile.
            foreach (var (deviceId, firmware) in batch)
            {
                _firmwareToWrite.TryAdd(deviceId, firmware);
            }

            throw;
        }
    }

    public bool SetHeartbeatInterval(string deviceId, int seconds) =>
        Update(deviceId, "UPDATE devices SET heartbeat_interval_s = $v WHERE id = $id;", seconds, d => d with { HeartbeatIntervalSeconds = seconds });

    private bool Update(string deviceId, string sql, object value, Func<DeviceRecord, DeviceRecord> change)
    {
        if (!_devices.TryGetValue(deviceId, out var current))
        {
            return false;
        }

        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", deviceId);
        command.Parameters.AddWithValue("$v", value);
        if (command.ExecuteNonQuery() != 1)
        {
            return false;
        }

        var updated = change(current);
        _devices[deviceId] = updated;
        DeviceChanged?.Invoke(updated);
        return true;
    }

    private static School ReadSchool(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
        r.IsDBNull(4) ? null : r.GetDouble(4), r.IsDBNull(5) ? null : r.GetDouble(5), r.IsDBNull(6) ? null : r.GetString(6));

    private static DeviceRecord ReadDevice(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
        r.IsDBNull(5) ? null : StoredTime.Parse(r.GetString(5)), r.GetInt32(6), StoredTime.Parse(r.GetString(7)));
}

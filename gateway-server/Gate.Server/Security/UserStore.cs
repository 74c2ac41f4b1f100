using System.Collections.Concurrent;
using System.Security.Claims;
using Gate.Server.Storage;
using Microsoft.AspNetCore.Identity;

namespace Gate.Server.Security;

public sealed record UserInfo(string Name, string[] Roles, DateTimeOffset CreatedAt, bool Disabled);

public sealed record ApiKeyInfo(string Id, string Name, string[] Roles, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt);

/// <summary>People (PBKDF2 passwords via ASP.NET Core Identity's hasher) and API keys for programs.</summary>
public sealed class UserStore(GateDatabase database, TimeProvider time, IPasswordHasher<string> hasher)
{
    private readonly ConcurrentDictionary<string, ApiKeyInfo?> _keyCache = new();

    // A hash of nothing anyone knows, verified when the user does not exist so that an unknown name costs the same
    // PBKDF2 work as a wrong password: otherwise the answer time tells which names exist (95 ms against 1 ms).
    private readonly string _dummyHash = hasher.HashPassword("", SecretHasher.NewSecret());

    public UserStore(GateDatabase database, TimeProvider time)
        : this(database, time, new PasswordHasher<string>())
    {
    }

    public bool AnyUser()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS(SELECT 1 FROM users);";
        return Convert.ToInt64(command.ExecuteScalar()) == 1;
    }

    public bool CreateUser(string name, string password, string[] roles)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO users(name, password_hash, roles, created_at) VALUES ($n, $h, $r, $t);";
        command.Parameters.AddWithValue("$n", name);
        command.Parameters.AddWithValue("$h", hasher.HashPassword(name, password));
        command.Parameters.AddWithValue("$r", string.Join(',', roles));
        command.Parameters.AddWithValue("$t", StoredTime.Format(time.GetUtcNow()));
        return command.ExecuteNonQuery() == 1;
    }

    public bool SetPassword(string name, string password)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE users SET password_hash = $h WHERE name = $n;";
        command.Parameters.AddWithValue("$n", name);
        command.Parameters.AddWithValue("$h", hasher.HashPassword(name, password));
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>Returns the user when the password matches and the account is enabled; null otherwise.</summary>
    public UserInfo? CheckPassword(string name, string password)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT password_hash, roles, created_at, disabled_at FROM users WHERE name = $n;";
        command.Parameters.AddWithValue("$n", name);
        using var reader = command.ExecuteReader();
        if (!reader.Read() || !reader.IsDBNull(3))
        {
            hasher.VerifyHashedPassword(name, _dummyHash, password);
            return null;
        }

        var result = hasher.VerifyHashedPassword(name, reader.GetString(0), password);
        if (result == PasswordVerificationResult.Failed)
        {
            return null;
        }

        return new UserInfo(name, SplitRoles(reader.GetString(1)), StoredTime.Parse(reader.GetString(2)), false);
    }

    public IReadOnlyList<UserInfo> ListUsers()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, roles, created_at, disabled_at FROM users ORDER BY name;";
        using var reader = command.ExecuteReader();
        var users = new List<UserInfo>();
        while (reader.Read())
        {
            users.Add(new UserInfo(reader.GetString(0), SplitRoles(reader.GetString(1)), StoredTime.Parse(reader.GetString(2)), !reader.IsDBNull(3)));
        }

        return users;
    }

    /// <summary>Creates an API key and returns its secret; only its hash is stored, so this is the one chance to read it.</summary>
    public (ApiKeyInfo Info, string Key) CreateApiKey(string name, string[] roles, string createdBy)
    {
        var key = "gate_" + SecretHasher.NewSecret();
        var info = new ApiKeyInfo("k" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)),
            name, roles, time.GetUtcNow(), createdBy, null);
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO api_keys(id, name, key_hash, roles, created_at, created_by) VALUES ($i, $n, $h, $r, $t, $b);";
        command.Parameters.AddWithValue("$i", info.Id);
        command.Parameters.AddWithValue("$n", name);
        command.Parameters.AddWithValue("$h", SecretHasher.HashApiKey(key));
        command.Parameters.AddWithValue("$r", string.Join(',', roles));
        command.Parameters.AddWithValue("$t", StoredTime.Format(info.CreatedAt));
        command.Parameters.AddWithValue("$b", createdBy);
        command.ExecuteNonQuery();
        return (info, key);
    }

    public bool RevokeApiKey(string id)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE api_keys SET revoked_at = $t WHERE id = $i AND revoked_at IS NULL;";
        command.Parameters.AddWithValue("$i", id);
        command.Parameters.AddWithValue("$t", StoredTime.Format(time.GetUtcNow()));
        var changed = command.ExecuteNonQuery() == 1;
        _keyCache.Clear();
        return changed;
    }

    public IReadOnlyList<ApiKeyInfo> ListApiKeys()
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, roles, created_at, created_by, revoked_at FROM api_keys ORDER BY created_at;";
        using var reader = command.ExecuteReader();
        var keys = new List<ApiKeyInfo>();
        while (reader.Read())
        {
            keys.Add(ReadKey(reader));
        }

        return keys;
    }

    /// <summary>The key's record if it exists and is not revoked. Cached: programs call on every request.</summary>
    public ApiKeyInfo? FindApiKey(string key)
    {
        var hash = SecretHasher.HashApiKey(key);
        return _keyCache.GetOrAdd(hash, h =>
        {
            using var connection = database.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT id, name, roles, created_at, created_by, revoked_at FROM api_keys WHERE key_hash = $h AND revoked_at IS NULL;";
            command.Parameters.AddWithValue("$h", h);
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadKey(reader) : null;
        });
    }

    public static ClaimsPrincipal Principal(string name, string[] roles, string scheme, string kind)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new("gate:kind", kind) };
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    private static ApiKeyInfo ReadKey(Microsoft.Data.Sqlite.SqliteDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), SplitRoles(reader.GetString(2)), StoredTime.Parse(reader.GetString(3)),
            reader.GetString(4), reader.IsDBNull(5) ? null : StoredTime.Parse(reader.GetString(5)));

    private static string[] SplitRoles(string roles) => roles.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

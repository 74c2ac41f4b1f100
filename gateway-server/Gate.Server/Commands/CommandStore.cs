using Gate.Server.Storage;

namespace Gate.Server.Commands;

public static class CommandStatus
{
    public const string Sent = "sent";
    public const string Timeout = "timeout";
    public const string SendFailed = "send_failed";
}

public sealed record CommandView(
    string Id, string DeviceId, string Name, int TtlSeconds, DateTimeOffset IssuedAt, string IssuedBy, string Status, DateTimeOffset? CompletedAt, string? Detail);

/// <summary>Every command ever sent, with who sent it and what became of it: the audit trail.</summary>
public sealed class CommandStore(GateDatabase database)
{
    public void Insert(CommandView command)
    {
        using var connection = database.Open();
        using var sql = connection.CreateCommand();
        sql.CommandText = "INSERT INTO commands(id, device_id, name, ttl_s, issued_at, issued_by, status) VALUES ($id, $d, $n, $ttl, $at, $by, $s);";
        sql.Parameters.AddWithValue("$id", command.Id);
        sql.Parameters.AddWithValue("$d", command.DeviceId);
        sql.Parameters.AddWithValue("$n", command.Name);
        sql.Parameters.AddWithValue("$ttl", command.TtlSeconds);
        sql.Parameters.AddWithValue("$at", StoredTime.Format(command.IssuedAt));
        sql.Parameters.AddWithValue("$by", command.IssuedBy);
        sql.Parameters.AddWithValue("$s", command.Status);
        sql.ExecuteNonQuery();
    }

    /// <summary>Closes a command still in flight. Returns false when it is unknown, another device's, or already closed.</summary>
    public bool Complete(string id, string? deviceId, string status, string? detail, DateTimeOffset at)
    {
        using var connection = database.Open();
        using var sql = connection.CreateCommand();
        sql.CommandText = "UPDATE commands SET status = $s, detail = $detail, completed_at = $at WHERE id = $id AND status = 'sent' AND ($d IS NULL OR device_id = $d);";
        sql.Parameters.AddWithValue("$id", id);
        sql.Parameters.AddWithValue("$d", (object?)deviceId ?? DBNull.Value);
        sql.Parameters.AddWithValue("$s", status);
        sql.Parameters.AddWithValue("$detail", (object?)detail ?? DBNull.Value);
        sql.Parameters.AddWithValue("$at", StoredTime.Format(at));
        return sql.ExecuteNonQuery() == 1;
    }

    public CommandView? Find(string id) => Query("WHERE id = $id", ("$id", id), 1).FirstOrDefault();

    public IReadOnlyList<CommandView> List(string? deviceId, int limit) =>
        Query("WHERE ($d IS NULL OR device_id = $d)", ("$d", deviceId), limit);

    /// <summary>Commands still waiting for an answer.</summary>
    public IReadOnlyList<CommandView> Open() => Query("WHERE status = 'sent'", ("$unused", null), 10_000);

    private List<CommandView> Query(string where, (string Name, string? Value) parameter, int limit)
    {
        using var connection = database.Open();
        using var sql = connection.CreateCommand();
        sql.CommandText = $"SELECT id, device_id, name, ttl_s, issued_at, issued_by, status, completed_at, detail FROM commands {where} ORDER BY issued_at DESC LIMIT $limit;";
        sql.Parameters.AddWithValue(parameter.Name, (object?)parameter.Value ?? DBNull.Value);
        sql.Parameters.AddWithValue("$limit", limit);
        using var r = sql.ExecuteReader();
        var list = new List<CommandView>();
        while (r.Read())
        {
            list.Add(new CommandView(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), StoredTime.Parse(r.GetString(4)), r.GetString(5),
                r.GetString(6), StoredTime.ParseOrNull(r.GetValue(7)), r.IsDBNull(8) ? null : r.GetString(8)));
        }

        return list;
    }
}

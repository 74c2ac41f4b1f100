namespace Gate.Server.Tests;

/// <summary>
/// The server's SQLite file read or changed from the test's side, through a connection of its own outside the server's
/// pool: what is there is what reached the disk.
/// </summary>
internal static class ServerFile
{
    public static SqliteConnection Open(GateServerFactory server)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataFolder, "gate.db")};Pooling=False");
        connection.Open();
        return connection;
    }

    /// <summary>The first column of every row the query returns.</summary>
    public static List<string> Strings(GateServerFactory server, string sql)
    {
        using var connection = Open(server);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}

using Microsoft.Extensions.Logging.Abstractions;

namespace Gate.Server.Tests;

public sealed class GroupCommitWriterTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "gate-groupcommit-" + Guid.NewGuid().ToString("N"));
    private readonly GateDatabase _database;

    public GroupCommitWriterTests()
    {
        Directory.CreateDirectory(_folder);
        _database = new GateDatabase(Path.Combine(_folder, "gate.db"));
        _database.Migrate();
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE t (k INTEGER PRIMARY KEY);";
        command.ExecuteNonQuery();
    }

    [Fact]
    public async Task ManyWritesAtOnce_ShareTransactions_AndEveryOneIsDurableWhenItCompletes()
    {
        await using var writer = new GroupCommitWriter(_database, NullLogger<GroupCommitWriter>.Instance);
        var writes = Enumerable.Range(1, 2000).Select(k => writer.WriteAsync((c, tx) => Insert(c, tx, k))).ToArray();
        await Task.WhenAll(writes);

        Assert.Equal(2000, Count());
        Assert.Equal(2000, writer.Writes);
        Assert.True(writer.Commits < 2000, $"{writer.Commits} commits for 2000 writes: nothing was batched");
    }

    [Fact]
    public async Task OneWriteFails_OnlyThatOneIsRolledBack()
    {
        await using var writer = new GroupCommitWriter(_database, NullLogger<GroupCommitWriter>.Instance);
        await writer.WriteAsync((c, tx) => Insert(c, tx, 7));

        var before = writer.WriteAsync((c, tx) => Insert(c, tx, 8));
        var duplicate = writer.WriteAsync((c, tx) =>
        {
            Insert(c, tx, 9);
            Insert(c, tx, 7); // primary key violation: this write, including its 9, must vanish
        });
        var after = writer.WriteAsync((c, tx) => Insert(c, tx, 10));

        await before;
        await after;
        var error = await Assert.ThrowsAsync<SqliteException>(() => duplicate);
        Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Equal([7, 8, 10], Keys());
    }

    private static void Insert(SqliteConnection connection, SqliteTransaction tx, int key)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT INTO t (k) VALUES ($k);";
        command.Parameters.AddWithValue("$k", key);
        command.ExecuteNonQuery();
    }

    private long Count()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM t;";
        return (long)command.ExecuteScalar()!;
    }

    private List<long> Keys()
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT k FROM t ORDER BY k;";
        using var reader = command.ExecuteReader();
        var keys = new List<long>();
        while (reader.Read())
        {
            keys.Add(reader.GetInt64(0));
        }

        return keys;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

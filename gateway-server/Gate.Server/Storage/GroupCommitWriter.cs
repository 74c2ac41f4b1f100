using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Gate.Server.Storage;

/// <summary>
/// The one writer of the alarm path (SQLite has one write lock): alarms, delivery rounds with their alarm steps, person
/// steps. Every write waiting when the writer is free runs in one transaction, each inside its own savepoint, and each
/// caller hears back only after the COMMIT (one fsync with synchronous=FULL) or with its own error. One fsync costs
/// about 1 ms here; one transaction per write capped a 10,000-alarm burst at ~45 alarms/s.
/// A write that throws is rolled back to its savepoint alone; the others in the batch still commit.
/// </summary>
public sealed class GroupCommitWriter : IAsyncDisposable
{
    private const int MaxBatch = 512;
    private readonly GateDatabase _database;
    private readonly ILogger<GroupCommitWriter> _logger;
    private readonly Channel<IPendingWrite> _pending = Channel.CreateUnbounded<IPendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private long _commits;
    private long _writes;

    public GroupCommitWriter(GateDatabase database, ILogger<GroupCommitWriter> logger)
    {
        _database = database;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Transactions committed so far (for tests and the benchmark: writes / commits is the batching gained).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Runs <paramref name="work"/> in the next group transaction; completes once that transaction is durable.</summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken = default)
    {
        var pending = new PendingWrite<T>(work);
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(GroupCommitWriter), "the database writer is shutting down");
        }

        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    public Task WriteAsync(Action<SqliteConnection, SqliteTransaction> work, CancellationToken cancellationToken = default) =>
        WriteAsync<bool>((c, t) =>
        {
            work(c, t);
            return true;
        }, cancellationToken);

    private async Task RunAsync()
    {
        var batch = new List<IPendingWrite>(MaxBatch);
        while (await _pending.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                Commit(batch);
            }
            catch (Exception ex)
            {
                // BEGIN or COMMIT failed (disk full, database locked past the busy timeout): nothing in the batch is
                // durable, so every caller hears it and keeps its own retry (the forwarding outbox, the device outbox).
                _logger.LogError(ex, "Group commit of {Count} writes failed", batch.Count);
                foreach (var write in batch)
                {
                    write.Fail(ex);
                }
            }
        }
    }

    private void Commit(List<IPendingWrite> batch)
    {
        using var connection = _database.Open();
        using var tx = connection.BeginTransaction();
        using var savepoint = connection.CreateCommand();
        savepoint.Transaction = tx;
        var outcomes = new Exception?[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            savepoint.CommandText = "SAVEPOINT w;";
            savepoint.ExecuteNonQuery();
            try
            {
                batch[i].Run(connection, tx);
                savepoint.CommandText = "RELEASE w;";
                savepoint.ExecuteNonQuery();
            }
            catch (Exception ex) when (ex is SqliteException or InvalidOperationException or ArgumentException or FormatException)
            {
                outcomes[i] = ex;
                savepoint.CommandText = "ROLLBACK TO w; RELEASE w;";
                savepoint.ExecuteNonQuery();
            }
        }

        tx.Commit();
        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _writes, batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i] is { } error)
            {
                batch[i].Fail(error);
            }
            else
            {
                batch[i].Complete();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private interface IPendingWrite
    {
        void Run(SqliteConnection connection, SqliteTransaction transaction);

        void Complete();

        void Fail(Exception error);
    }

    private sealed class PendingWrite<T>(Func<SqliteConnection, SqliteTransaction, T> work) : IPendingWrite
    {
        private T? _result;

        public TaskCompletionSource<T> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Run(SqliteConnection connection, SqliteTransaction transaction) => _result = work(connection, transaction);

        public void Complete() => Done.TrySetResult(_result!);

        public void Fail(Exception error) => Done.TrySetException(error);
    }
}

namespace Gate.Testing;

/// <summary>Reads the server's change feed from the moment it subscribed, so no change published after that is missed.</summary>
public sealed class ChangeWaiter(ChangeSubscription subscription) : IDisposable
{
    public async Task<ChangeEvent> WaitAsync(Func<ChangeEvent, bool> predicate, string what)
    {
        using var timeout = new CancellationTokenSource(Wait.Generous);
        try
        {
            await foreach (var change in subscription.Reader.ReadAllAsync(timeout.Token))
            {
                if (predicate(change))
                {
                    return change;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new TimeoutException("no change matched: " + what);
    }

    /// <summary>Everything published so far and not yet read.</summary>
    public List<ChangeEvent> Drain()
    {
        var list = new List<ChangeEvent>();
        while (subscription.Reader.TryRead(out var change))
        {
            list.Add(change);
        }

        return list;
    }

    public void Dispose() => subscription.Dispose();
}

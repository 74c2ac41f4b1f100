namespace Gate.Server.Forwarding;

/// <summary>The configured paths to the police, in preference order: primary, backup, webhook.</summary>
public sealed class ForwardingPaths(IReadOnlyList<IAlarmForwarder> forwarders) : IAsyncDisposable, IDisposable
{
    public IReadOnlyList<IAlarmForwarder> All { get; } = forwarders;

    public async ValueTask DisposeAsync()
    {
        foreach (var forwarder in All)
        {
            if (forwarder is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }

    // A container disposed synchronously must not throw because a singleton is only async-disposable; closing
    // sockets completes synchronously anyway.
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}

namespace Gate.Server.Forwarding;

/// <summary>The configured paths to the police, in preference order: primary, backup, webhook.</summary>
public sealed class ForwardingPaths(IReadOnlyList<IAlarmForwarder> forwarders) : IAsyncDisposable
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
}

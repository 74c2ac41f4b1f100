namespace Gate.Testing;

/// <summary>Fires <see cref="Signal"/> for every change the server publishes on its change feed.</summary>
public sealed class ChangeFeedSignal : IDisposable
{
    private readonly ChangeSubscription _subscription;
    private readonly CancellationTokenSource _stop = new();

    public ChangeFeedSignal(ChangeSubscription subscription)
    {
        _subscription = subscription;
        _ = PumpAsync();
    }

    public ChangeSignal Signal { get; } = new();

    public static implicit operator ChangeSignal(ChangeFeedSignal feed) => feed.Signal;

    public void Dispose()
    {
        _stop.Cancel();
        _subscription.Dispose();
        _stop.Dispose();
    }

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var _ in _subscription.Reader.ReadAllAsync(_stop.Token))
            {
                Signal.Fire();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

namespace Gate.Testing;

/// <summary>
/// A completion signal that can fire many times: each <see cref="NextAsync"/> completes at the next
/// <see cref="Fire"/>. Hook <see cref="Fire"/> to the event of whatever a test waits on.
/// </summary>
public sealed class ChangeSignal
{
    private TaskCompletionSource _next = NewSource();

    public Task NextAsync() => Volatile.Read(ref _next).Task;

    public void Fire() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

namespace Gate.Testing;

/// <summary>
/// Waiting for something asynchronous: a completion signal and a generous timeout (CI has two loaded cores and runs the
/// suites in parallel), never a fixed sleep. A timeout fails with what was awaited.
/// </summary>
public static class Wait
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a condition is re-checked when nothing signals a change. Only a backstop for state that changes
    /// without an event (a socket counter, a row another process wrote); it is not how long anything takes.
    /// </summary>
    public static readonly TimeSpan Recheck = TimeSpan.FromMilliseconds(20);

    /// <summary>Completes with <paramref name="signal"/>, or fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task<T> ForAsync<T>(Task<T> signal, string what, TimeSpan? timeout = null)
    {
        await ForAsync((Task)signal, what, timeout);
        return await signal;
    }

    /// <inheritdoc cref="ForAsync{T}(Task{T}, string, TimeSpan?)"/>
    public static async Task ForAsync(Task signal, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Generous;
        try
        {
            await signal.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"gave up after {limit.TotalSeconds:0} s waiting for {what}");
        }
    }

    /// <summary>
    /// Completes once <paramref name="condition"/> holds. It is re-checked each time <paramref name="changed"/> fires
    /// (a completion signal from the thing being watched: a server change feed, a device event) and, as a backstop,
    /// every <see cref="Recheck"/>.
    /// </summary>
    public static Task UntilAsync(Func<bool> condition, string what, ChangeSignal? changed = null, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, changed, timeout);

    /// <inheritdoc cref="UntilAsync(Func{bool}, string, ChangeSignal?, TimeSpan?)"/>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, ChangeSignal? changed = null, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Generous;
        using var deadline = new CancellationTokenSource(limit);
        while (true)
        {
            var next = changed?.NextAsync() ?? Task.CompletedTask;
            if (await condition())
            {
                return;
            }

            try
            {
                await Task.WhenAny(next, Task.Delay(Recheck, deadline.Token));
            }
            catch (OperationCanceledException)
            {
            }

            if (deadline.IsCancellationRequested)
            {
                if (await condition())
                {
                    return;
                }

                throw new TimeoutException($"gave up after {limit.TotalSeconds:0} s waiting for {what}");
            }
        }
    }

    /// <summary>Completes with the value once <paramref name="read"/> returns one that satisfies <paramref name="done"/>.</summary>
    public static async Task<T> ForValueAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, ChangeSignal? changed = null, TimeSpan? timeout = null)
    {
        var value = default(T)!;
        await UntilAsync(async () => done(value = await read()), what, changed, timeout);
        return value;
    }
}

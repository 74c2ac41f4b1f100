namespace Gate.Forwarding.Tests;

/// <summary>Gate.Testing's <see cref="Wait"/> as extensions, the way these suites read best: <c>await x.WithTimeout("what")</c>.</summary>
internal static class TestWait
{
    public static Task<T> WithTimeout<T>(this Task<T> task, string what) => Wait.ForAsync(task, what);

    public static Task WithTimeout(this Task task, string what) => Wait.ForAsync(task, what);

    /// <summary>Completes the first time <paramref name="predicate"/> holds for a message the simulator receives.</summary>
    public static Task<ReceivedMessage> NextMessage(this PoliceReceiverSimulator simulator, Func<ReceivedMessage, bool>? predicate = null)
    {
        var tcs = new TaskCompletionSource<ReceivedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object? sender, ReceivedMessageEventArgs e)
        {
            if (predicate is null || predicate(e.Message))
            {
                simulator.MessageReceived -= Handler;
                tcs.TrySetResult(e.Message);
            }
        }

        simulator.MessageReceived += Handler;
        return tcs.Task;
    }
}

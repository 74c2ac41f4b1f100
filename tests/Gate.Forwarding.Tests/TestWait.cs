namespace Gate.Forwarding.Tests;

/// <summary>Waiting for something asynchronous: a generous timeout, never a fixed sleep.</summary>
internal static class TestWait
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<T> WithTimeout<T>(this Task<T> task, string what)
    {
        var finished = await Task.WhenAny(task, Task.Delay(Timeout));
        Assert.True(finished == task, $"timed out waiting for {what}");
        return await task;
    }

    public static async Task WithTimeout(this Task task, string what)
    {
        var finished = await Task.WhenAny(task, Task.Delay(Timeout));
        Assert.True(finished == task, $"timed out waiting for {what}");
        await task;
    }

    /// <summary>Completes the first time <paramref name="predicate"/> holds for a message the simulator receives.</summary>
    public static Task<Gate.SiaDc09.ReceivedMessage> NextMessage(this Gate.SiaDc09.PoliceReceiverSimulator simulator, Func<Gate.SiaDc09.ReceivedMessage, bool>? predicate = null)
    {
        var tcs = new TaskCompletionSource<Gate.SiaDc09.ReceivedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object? sender, Gate.SiaDc09.ReceivedMessageEventArgs e)
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

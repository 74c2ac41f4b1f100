using Gate.Server.Events;
using Microsoft.Extensions.DependencyInjection;

namespace Gate.StatusPage.Tests;

public static class Wait
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Waits until <paramref name="condition"/> holds, re-checking on every change the server publishes (and every
    /// 100 ms, for state that changes without an event, such as a heartbeat's telemetry); fails after 30 s.
    /// </summary>
    public static async Task UntilAsync(IServiceProvider services, Func<bool> condition, string what)
    {
        var feed = services.GetRequiredService<ChangeFeed>();
        using var subscription = feed.Subscribe();
        using var cts = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            try
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
                tick.CancelAfter(TimeSpan.FromMilliseconds(100));
                await subscription.Reader.WaitToReadAsync(tick.Token);
                while (subscription.Reader.TryRead(out _))
                {
                }
            }
            catch (OperationCanceledException) when (!cts.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"gave up after {Timeout.TotalSeconds} s waiting for {what}");
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Gate.Server.Events;

/// <summary>One change pushed to the status page and integrations over Server-Sent Events.</summary>
public sealed record ChangeEvent(long Id, string Type, DateTimeOffset At, string? DeviceId, string? SchoolId, string? AlarmId, object? Data);

/// <summary>
/// Fan-out of live changes to SSE subscribers. Each subscriber has a bounded queue; one that cannot keep up is closed
/// (its EventSource reconnects and reloads) rather than slowing ingest or growing memory without bound.
/// </summary>
public sealed class ChangeFeed(TimeProvider time)
{
    private const int SubscriberCapacity = 2048;
    private readonly ConcurrentDictionary<long, Channel<ChangeEvent>> _subscribers = new();
    private long _nextSubscriber;
    private long _nextEvent;

    public int SubscriberCount => _subscribers.Count;

    public ChangeEvent Publish(string type, string? deviceId, string? schoolId, string? alarmId, object? data)
    {
        var change = new ChangeEvent(Interlocked.Increment(ref _nextEvent), type, time.GetUtcNow(), deviceId, schoolId, alarmId, data);
        foreach (var (id, channel) in _subscribers)
        {
            if (!channel.Writer.TryWrite(change))
            {
                channel.Writer.TryComplete();
                _subscribers.TryRemove(id, out _);
            }
        }

        return change;
    }

    /// <summary>Registers a subscriber at once, so nothing published after this call is missed.</summary>
    public ChangeSubscription Subscribe()
    {
        var id = Interlocked.Increment(ref _nextSubscriber);
        var channel = Channel.CreateBounded<ChangeEvent>(new BoundedChannelOptions(SubscriberCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _subscribers[id] = channel;
        return new ChangeSubscription(channel.Reader, () => _subscribers.TryRemove(id, out _));
    }
}

public sealed class ChangeSubscription(ChannelReader<ChangeEvent> reader, Action unsubscribe) : IDisposable
{
    public ChannelReader<ChangeEvent> Reader { get; } = reader;

    public void Dispose() => unsubscribe();
}

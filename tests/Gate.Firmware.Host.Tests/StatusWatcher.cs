using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace Gate.Firmware.Host.Tests;

/// <summary>A plain MQTT client that records what arrives on a topic filter, retained flag included.</summary>
public sealed class TopicWatcher : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly List<(string Topic, string Text, bool Retained)> _messages = new();
    private readonly List<(Func<(string Topic, string Text, bool Retained), bool> Match, TaskCompletionSource<(string, string, bool)> Done)> _waiters = new();

    public static async Task<TopicWatcher> StartAsync(int port, string filter)
    {
        var w = new TopicWatcher();
        w._client.ApplicationMessageReceivedAsync += e =>
        {
            var m = (e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload.ToArray()), e.ApplicationMessage.Retain);
            lock (w._messages)
            {
                w._messages.Add(m);
                foreach (var (match, done) in w._waiters)
                {
                    if (match(m)) { done.TrySetResult(m); }
                }
            }

            return Task.CompletedTask;
        };
        await w._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("watch-" + Guid.NewGuid().ToString("N")[..8]).Build());
        await w._client.SubscribeAsync(new MqttClientFactory().CreateSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return w;
    }

    public Task<(string Topic, string Text, bool Retained)> WaitForAsync(Func<(string Topic, string Text, bool Retained), bool> match)
    {
        var done = new TaskCompletionSource<(string, string, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_messages)
        {
            foreach (var m in _messages)
            {
                if (match(m)) { done.TrySetResult(m); }
            }

            _waiters.Add((match, done));
        }

        return done.Task.WaitAsync(Timeouts.Generous);
    }

    public async ValueTask DisposeAsync()
    {
        try { await _client.DisconnectAsync(); } catch { /* broker gone */ }
        _client.Dispose();
    }
}

public static class Timeouts
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);
}

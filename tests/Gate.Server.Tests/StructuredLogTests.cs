using Gate.PoliceReceiver;
using System.Collections.Concurrent;
using System.Text.Json;
using Gate.Contracts;
using Gate.Server.Alarms;
using Gate.SiaDc09;
using Gate.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Gate.Server.Tests;

/// <summary>Log lines about an alarm carry its alarm id and device id as fields, and the JSON console formatter writes them.</summary>
public sealed class StructuredLogTests
{
    [Fact]
    public async Task Forwarding_PoliceAcknowledges_TheLogLineCarriesAlarmAndDeviceIdScopes()
    {
        await using var police = new PoliceReceiverSimulator(new PoliceReceiverOptions { TcpPort = 0, UdpPort = null });
        await police.StartAsync();
        using var server = new GateServerFactory(realTime: true, settings: PolicePath.Primary(police.TcpEndPoint!));
        var credential = server.AddDevice("school-a", "gate-1");
        var capture = new CapturingLoggerProvider();
        server.Get<ILoggerFactory>().AddProvider(capture);
        await using var device = await server.ConnectDeviceAsync(credential);

        var id = await device.AlarmAsync(AlarmKind.Panic);
        await device.WaitForAckAsync(id, AckStage.PoliceAck);

        // Logged once the acks went out, so possibly just after the device saw its own.
        var line = await Wait.ForAsync(
            capture.FirstAsync(e => e.Category.EndsWith("ForwardingService", StringComparison.Ordinal) && e.Message.Contains("acknowledged by", StringComparison.Ordinal)),
            "the forwarder's acknowledged line");
        Assert.Equal(id, line.Scope["AlarmId"]);
        Assert.Equal("gate-1", line.Scope["DeviceId"]);
    }

    [Fact]
    public void JsonConsoleFormatter_Configured_WritesTheScopeAsFields()
    {
        using var server = new GateServerFactory(settings: new Dictionary<string, string?>
        {
            ["Logging:Console:FormatterName"] = "json",
            ["Logging:Console:FormatterOptions:IncludeScopes"] = "true",
        });
        var formatter = server.Services.GetServices<ConsoleFormatter>().Single(f => f.Name == ConsoleFormatterNames.Json);
        var scopes = new LoggerExternalScopeProvider();
        using var scope = scopes.Push(new AlarmLogScope("gate-1.7.1", "gate-1"));
        using var output = new StringWriter();

        formatter.Write(new LogEntry<string>(LogLevel.Warning, "Gate.Server.Forwarding.ForwardingService", default, "not acknowledged", null, (s, _) => s), scopes, output);

        var json = JsonDocument.Parse(output.ToString()).RootElement;
        var fields = json.GetProperty("Scopes").EnumerateArray().Single();
        Assert.Equal("gate-1.7.1", fields.GetProperty("AlarmId").GetString());
        Assert.Equal("gate-1", fields.GetProperty("DeviceId").GetString());
        Assert.Equal("not acknowledged", json.GetProperty("Message").GetString());
    }

    private sealed record Entry(string Category, string Message, IReadOnlyDictionary<string, object?> Scope);

    /// <summary>Keeps every line with the values of the scopes around it, as a structured sink would.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        private readonly List<(Func<Entry, bool> Match, TaskCompletionSource<Entry> Found)> _waiters = [];

        public ConcurrentQueue<Entry> Entries { get; } = new();

        /// <summary>Completes with the first line, logged already or later, that matches.</summary>
        public Task<Entry> FirstAsync(Func<Entry, bool> match)
        {
            var found = new TaskCompletionSource<Entry>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waiters)
            {
                _waiters.Add((match, found));
                foreach (var entry in Entries.Where(match).Take(1))
                {
                    found.TrySetResult(entry);
                }
            }

            return found.Task;
        }

        private void Add(Entry entry)
        {
            lock (_waiters)
            {
                Entries.Enqueue(entry);
                foreach (var (match, found) in _waiters.Where(w => w.Match(entry)))
                {
                    found.TrySetResult(entry);
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class CapturingLogger(CapturingLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scope = new Dictionary<string, object?>(StringComparer.Ordinal);
                provider._scopes.ForEachScope((value, fields) =>
                {
                    if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, v) in pairs)
                        {
                            fields[key] = v;
                        }
                    }
                }, scope);
                provider.Add(new Entry(category, formatter(state, exception), scope));
            }
        }
    }
}

using System.Security.Cryptography;
using Gate.Contracts;
using Gate.Server.Devices;
using Gate.Server.Events;
using Gate.Server.Mqtt;
using Microsoft.Extensions.Options;

namespace Gate.Server.Commands;

public sealed class CommandOptions
{
    public const string Section = "Commands";

    /// <summary>Time to live sent with a command when the caller gives none.</summary>
    public int DefaultTtlSeconds { get; set; } = Limits.DefaultCommandTtlSeconds;

    /// <summary>Extra wait after the time to live before a command without an answer is marked timed out.</summary>
    public int TimeoutGraceSeconds { get; set; } = 15;

    public int CheckPeriodSeconds { get; set; } = 5;
}

/// <summary>Remote actions: sent with an id, audited, tracked to the device's answer or a timeout.</summary>
public sealed class CommandService(
    CommandStore store, DeviceRegistry registry, IDeviceLink link, EventLog events, TimeProvider time, IOptions<CommandOptions> options)
    : IDeviceMessageHandler
{
    // When each command of this run was sent, on the monotonic clock: its time to live is a duration, and an operator
    // stepping the wall clock must neither time out every command at once (forward) nor leave them open for hours
    // (back). Commands sent before a restart have only their stamp and are judged by the wall clock.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _sentAt = new(StringComparer.Ordinal);

    public string Channel => Topics.Result;

    public async Task<(CommandView? Command, string? Error)> SendAsync(string deviceId, string name, int? ttlSeconds, string issuedBy, CancellationToken cancellationToken)
    {
        var device = registry.Find(deviceId);
        if (device is null)
        {
            return (null, "unknown_device");
        }

        if (!CommandName.IsKnown(name))
        {
            return (null, "unknown_command");
        }

        var ttl = ttlSeconds ?? options.Value.DefaultTtlSeconds;
        if (ttl < 1 || ttl > Limits.MaxCommandTtlSeconds)
        {
            return (null, "bad_ttl");
        }

        var now = time.GetUtcNow();
        var command = new CommandView("c" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), deviceId, name, ttl, now, issuedBy, CommandStatus.Sent, null, null);

        // Audited before it leaves: a command that reached a device is never missing from the record.
        store.Insert(command);
        _sentAt[command.Id] = time.GetTimestamp();
        var payload = Wire.WireEncoder.EncodeCommand(new Command { Id = command.Id, Name = name, Timestamp = now.UtcDateTime, TtlSeconds = ttl });
        try
        {
            await link.PublishToDeviceAsync(device.SchoolId, deviceId, Topics.Command, payload, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _sentAt.TryRemove(command.Id, out _);
            store.Complete(command.Id, deviceId, CommandStatus.SendFailed, ex.Message, time.GetUtcNow());
            events.Record("command_failed", deviceId, device.SchoolId, issuedBy, $"{name} {command.Id}: {ex.Message}");
            return (store.Find(command.Id), null);
        }

        events.Record("command", deviceId, device.SchoolId, issuedBy, $"{name} {command.Id} (ttl {ttl}s)", command);
        return (command, null);
    }

    public Task<IngestResult> HandleAsync(DeviceMessage message, CancellationToken cancellationToken)
    {
        if (!Wire.WireDecoder.TryDecodeResult(message.Payload.Span, out var result, out var error))
        {
            return Task.FromResult(IngestResult.Rejected(error));
        }

        if (result.Device != message.DeviceId)
        {
            return Task.FromResult(IngestResult.Rejected("dev_mismatch"));
        }

        if (!store.Complete(result.Id, message.DeviceId, result.Result, result.Detail, message.ReceivedAt))
        {
            // Late (already timed out), repeated, or not ours: recorded, but it changes nothing.
            events.Record("command_result_ignored", message.DeviceId, message.SchoolId, message.DeviceId, $"{result.Id}: {result.Result}");
            return Task.FromResult(IngestResult.Accepted);
        }

        _sentAt.TryRemove(result.Id, out _);
        events.Record("command_result", message.DeviceId, message.SchoolId, message.DeviceId,
            $"{result.Id}: {result.Result}{(result.Detail is null ? "" : " (" + result.Detail + ")")}", store.Find(result.Id));
        return Task.FromResult(IngestResult.Accepted);
    }

    /// <summary>Marks commands whose answer never came as timed out.</summary>
    public int ExpireOverdue()
    {
        var now = time.GetUtcNow();
        var grace = TimeSpan.FromSeconds(options.Value.TimeoutGraceSeconds);
        var count = 0;
        foreach (var command in store.Open())
        {
            var limit = TimeSpan.FromSeconds(command.TtlSeconds) + grace;
            var overdue = _sentAt.TryGetValue(command.Id, out var sentTicks)
                ? time.GetElapsedTime(sentTicks) >= limit
                : command.IssuedAt + limit <= now;
            if (!overdue)
            {
                continue;
            }

            _sentAt.TryRemove(command.Id, out _);
            if (store.Complete(command.Id, null, CommandStatus.Timeout, "no result within the time to live", now))
            {
                count++;
                events.Record("command_timeout", command.DeviceId, registry.Find(command.DeviceId)?.SchoolId, "server", $"{command.Name} {command.Id}", store.Find(command.Id));
            }
        }

        return count;
    }
}

public sealed class CommandTimeoutService(CommandService commands, TimeProvider time, IOptions<CommandOptions> options, ILogger<CommandTimeoutService> logger) : BackgroundService
{
    // Started with the service, not in ExecuteAsync (which .NET 10 runs after the host has started): see LivenessService.
    private readonly PeriodicTimer _timer = new(TimeSpan.FromSeconds(options.Value.CheckPeriodSeconds), time);

    public override void Dispose()
    {
        _timer.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    commands.ExpireOverdue();
                }
                catch (Exception ex)
                {
                    logger.LogError(ex, "Command timeout check failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

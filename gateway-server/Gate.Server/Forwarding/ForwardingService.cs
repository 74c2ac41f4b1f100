using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Gate.Server.Forwarding;

/// <summary>
/// Drains the forwarding outbox: in order per school (the next alarm of a school waits for the one before it), in
/// parallel across schools, woken the moment an alarm is enqueued and by a timer for retries. Each round tries the
/// paths in order (a path that just failed goes last until it answers again), records every try in the trail,
/// reports forwarded / acknowledged / trouble to the observers, and schedules the next round with exponential
/// backoff. Also sends DC-09 NULL supervision messages on each receiver link.
/// </summary>
public sealed class ForwardingService : BackgroundService
{
    /// <summary>How long an enqueued-but-invisible alarm id is awaited before its transaction is taken as rolled back.</summary>
    private static readonly TimeSpan CommitWait = TimeSpan.FromSeconds(10);

    /// <summary>Even with nothing due, look at the outbox this often (a safety net, not the delivery path).</summary>
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);

    private readonly ForwardingStore _store;
    private readonly ForwardingPaths _paths;
    private readonly ForwardingStatus _status;
    private readonly IDeliveryObserver[] _observers;
    private readonly ForwardingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ForwardingService> _logger;
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _parallel;
    private readonly ForwardingSignal _signal;

    public ForwardingService(
        ForwardingStore store,
        ForwardingPaths paths,
        ForwardingStatus status,
        IEnumerable<IDeliveryObserver> observers,
        IOptions<ForwardingOptions> options,
        TimeProvider time,
        ILogger<ForwardingService> logger)
    {
        _store = store;
        _paths = paths;
        _status = status;
        _observers = observers.ToArray();
        _options = options.Value;
        _time = time;
        _logger = logger;
        _parallel = new SemaphoreSlim(_options.MaxParallelSchools, _options.MaxParallelSchools);
        _signal = store.Signal;
        foreach (var path in _paths.All)
        {
            _status.Register(path);
        }

        if (_paths.All.Count == 0)
        {
            _status.Warning = "No police receiver is configured (Forwarding:Primary, Forwarding:Backup or Forwarding:Webhook): alarms are stored and queued but reach nobody.";
        }
    }

    private bool SupervisionOn => _options.SupervisionInterval is { } interval && interval > TimeSpan.Zero;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_status.Warning is { } warning)
        {
            _logger.LogWarning("{Warning}", warning);
        }

        // A restart is often the fix (new configuration, receiver back): try every waiting alarm at once.
        await ResetScheduleAsync(stoppingToken);

        var supervision = SupervisionOn
            ? _paths.All.Where(p => p.SupportsSupervision).Select(p => SuperviseLoopAsync(p, stoppingToken)).ToArray()
            : [];

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var awaitingCommit = await CheckExpectedAsync(stoppingToken);
                long? nextDueMs;
                try
                {
                    nextDueMs = await DispatchAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _logger.LogError(ex, "Forwarding could not read the outbox; trying again shortly");
                    nextDueMs = _time.GetUtcNow().AddSeconds(1).ToUnixTimeMilliseconds();
                }

                if (awaitingCommit)
                {
                    // An alarm was enqueued but its transaction has not committed yet: look again in a moment
                    // rather than leave it to the retry timer.
                    await Task.WhenAny(_signal.WaitAsync(stoppingToken), Task.Delay(1, stoppingToken));
                    continue;
                }

                await WaitAsync(nextDueMs, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; whatever is not acknowledged stays in the outbox for the next start.
        }

        await Task.WhenAll(_running.Values.Concat(supervision).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    private async Task ResetScheduleAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _store.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE forward_queue SET next_attempt_ms = NULL WHERE state = 'pending' AND next_attempt_ms IS NOT NULL;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<bool> CheckExpectedAsync(CancellationToken cancellationToken)
    {
        var expected = _signal.Expected.Keys.ToArray();
        if (expected.Length == 0)
        {
            return false;
        }

        foreach (var id in await _store.ExistingAsync(expected, cancellationToken))
        {
            _signal.Seen(id);
        }

        _signal.ExpireOlderThan(CommitWait);
        return _signal.Expected.Count > 0;
    }

    /// <summary>Starts a worker for every school whose oldest alarm is due; returns when the next one falls due.</summary>
    private async Task<long?> DispatchAsync(CancellationToken cancellationToken)
    {
        var heads = await _store.PendingHeadsAsync(cancellationToken);
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long? earliest = null;
        foreach (var (school, next) in heads)
        {
            if (_running.ContainsKey(school))
            {
                continue;
            }

            if (next is { } due && !IsDue(due, nowMs))
            {
                earliest = earliest is { } e ? Math.Min(e, due) : due;
                continue;
            }

            var worker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_running.TryAdd(school, worker.Task))
            {
                _ = RunWorkerAsync(school, worker, cancellationToken);
            }
        }

        return earliest;
    }

    /// <summary>
    /// A retry stamped further ahead than the longest retry delay can only come from a wall clock stepped back since
    /// it was scheduled (an operator, NTP): it is due now, or the alarm would wait out the step, possibly hours.
    /// </summary>
    private bool IsDue(long dueMs, long nowMs) =>
        dueMs <= nowMs || dueMs - nowMs > (long)_options.Retry.MaxDelay.TotalMilliseconds;

    private async Task WaitAsync(long? nextDueMs, CancellationToken cancellationToken)
    {
        var delay = IdlePoll;
        if (nextDueMs is { } due)
        {
            var untilDue = DateTimeOffset.FromUnixTimeMilliseconds(due) - _time.GetUtcNow();
            delay = untilDue < IdlePoll ? untilDue : IdlePoll;
        }

        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new CancellationTokenSource(delay, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _signal.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The timer: a retry is due.
        }
    }

    private async Task RunWorkerAsync(string school, TaskCompletionSource done, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await _parallel.WaitAsync(cancellationToken);
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    var head = await _store.HeadAsync(school, cancellationToken);
                    if (head is not { } found
                        || (found.NextAttemptMs is { } due && !IsDue(due, _time.GetUtcNow().ToUnixTimeMilliseconds())))
                    {
                        break;
                    }

                    if (!await DeliverAsync(found.Item, cancellationToken))
                    {
                        break;
                    }
                }
            }
            finally
            {
                _parallel.Release();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Storage trouble: pause this school briefly instead of spinning on the same row.
            _logger.LogError(ex, "Forwarding for school {School} failed; retrying", school);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
        finally
        {
            _running.TryRemove(school, out _);
            done.TrySetResult();
            _signal.Notify();
        }
    }

    /// <summary>Paths in the order to try now: those that last worked first, those that just failed last.</summary>
    private IReadOnlyList<IAlarmForwarder> OrderPaths(DateTimeOffset now)
    {
        var retryAfter = _options.Retry.PathRetryAfter;
        var healthy = new List<IAlarmForwarder>();
        var suspect = new List<IAlarmForwarder>();
        foreach (var path in _paths.All)
        {
            // With supervision, a failed receiver comes back first only once a NULL proves it answers again;
            // without it, after PathRetryAfter.
            var window = SupervisionOn && path.SupportsSupervision ? TimeSpan.MaxValue : retryAfter;
            (_status.IsSuspect(path.Path, now, window) ? suspect : healthy).Add(path);
        }

        healthy.AddRange(suspect);
        return healthy;
    }

    /// <summary>One delivery round for one alarm. True when the school can move on to its next alarm.</summary>
    private async Task<bool> DeliverAsync(ForwardItem item, CancellationToken cancellationToken)
    {
        var request = item.Request;
        var attempts = item.Attempts + 1;
        var paths = OrderPaths(_time.GetUtcNow());
        var errors = new List<string>();
        var anySent = false;
        var allRejected = true;
        var forwardedNotified = false;

        foreach (var path in paths)
        {
            ForwardAttempt attempt;
            try
            {
                attempt = await path.ForwardAsync(item, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                attempt = new ForwardAttempt(ForwardOutcome.Failed, "ERROR", ex.Message, TimeSpan.Zero);
            }

            var at = _time.GetUtcNow();
            var response = string.IsNullOrEmpty(attempt.Response) ? attempt.Detail : $"{attempt.Response} ({attempt.Detail})";
            var latency = at - item.EnqueuedAt;
            if (latency < TimeSpan.Zero)
            {
                // enqueued_at is SQLite's clock; under a test clock the difference means nothing, so report the round trip.
                latency = attempt.Latency;
            }

            _status.Report(path.Path, attempt, at);

            // The acknowledged try and the delivered state are one transaction: one fsync before the device hears of it.
            await _store.RecordAttemptAsync(request.AlarmId, at, path.Receiver, path.Path, attempt.Outcome.ToString().ToLowerInvariant(),
                response, attempt.Latency, attempt.Outcome == ForwardOutcome.Acknowledged ? (latency, attempts) : null, cancellationToken, attempt.Sequence);
            if (attempt.Sequence is { } number && item.Dc09Sequence is null)
            {
                item = item with { Dc09Sequence = number };
            }

            // "forwarded" tells the guard the police platform has the alarm: only when a receiver answered. A link that
            // is down is not "forwarded"; after TroubleAfterAttempts the device hears "failed" instead.
            if (attempt.Outcome is ForwardOutcome.Acknowledged or ForwardOutcome.Rejected && !forwardedNotified)
            {
                forwardedNotified = true;
                await NotifyAsync(o => o.OnForwardedAsync(request.AlarmId, path.Receiver, path.Path, at, cancellationToken));
            }

            switch (attempt.Outcome)
            {
                case ForwardOutcome.Acknowledged:
                    _logger.LogInformation("Alarm {AlarmId} ({Kind}) acknowledged by {Path} {Receiver} in {LatencyMs:0.0} ms (attempt {Attempt})",
                        request.AlarmId, request.Kind, path.Path, path.Receiver, latency.TotalMilliseconds, attempts);
                    await NotifyAsync(o => o.OnAcknowledgedAsync(request.AlarmId, path.Receiver, path.Path, at, latency, cancellationToken));
                    return true;
                case ForwardOutcome.Rejected:
                    anySent = true;
                    errors.Add($"{path.Path} rejected it: {attempt.Response}");
                    break;
                case ForwardOutcome.Failed:
                    anySent = true;
                    allRejected = false;
                    errors.Add($"{path.Path}: {attempt.Detail}");
                    break;
                default:
                    allRejected = false;
                    errors.Add($"{path.Path}: {attempt.Detail}");
                    break;
            }
        }

        var now = _time.GetUtcNow();
        if (paths.Count > 0 && anySent && allRejected)
        {
            // DUH everywhere: resending the same bytes cannot help. Keep it, show it, move on to the next alarm.
            var reason = "Rejected by every police receiver: " + string.Join("; ", errors);
            await _store.MarkRejectedAsync(request.AlarmId, attempts, reason, now, cancellationToken);
            await RaiseTroubleAsync(request, reason, now);
            return true;
        }

        var error = paths.Count == 0
            ? "no police receiver is configured"
            : string.Join("; ", errors);
        var delay = paths.Count == 0 ? _options.Retry.MaxDelay : Backoff(attempts);
        var troubleNow = attempts >= _options.Retry.TroubleAfterAttempts || !anySent;
        var raised = await _store.ScheduleRetryAsync(request.AlarmId, attempts, (now + delay).ToUnixTimeMilliseconds(), error, troubleNow ? now : null, cancellationToken);
        _logger.LogWarning("Alarm {AlarmId} not acknowledged (attempt {Attempt}): {Error}; next try in {Delay}", request.AlarmId, attempts, error, delay);
        if (raised)
        {
            await RaiseTroubleAsync(request, $"Not delivered to the police after {attempts} attempt(s): {error}. Still retrying.", now);
        }

        return false;
    }

    /// <summary>Exponential: InitialDelay, x2 per attempt, capped at MaxDelay.</summary>
    public TimeSpan Backoff(int attempts)
    {
        var retry = _options.Retry;
        var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        var ms = Math.Min(retry.InitialDelay.TotalMilliseconds * factor, retry.MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
    }

    private async Task RaiseTroubleAsync(ForwardRequest request, string reason, DateTimeOffset at)
    {
        _logger.LogError("DELIVERY TROUBLE for alarm {AlarmId} ({Kind}) at school {School}: {Reason}", request.AlarmId, request.Kind, request.SchoolId, reason);
        await NotifyAsync(o => o.OnDeliveryTroubleAsync(request.AlarmId, reason, at, CancellationToken.None));
    }

    private async Task NotifyAsync(Func<IDeliveryObserver, Task> call)
    {
        foreach (var observer in _observers)
        {
            try
            {
                await call(observer);
            }
            catch (Exception ex)
            {
                // The observer's trouble must never stop delivery to the police.
                _logger.LogError(ex, "Delivery observer {Observer} failed", observer.GetType().Name);
            }
        }
    }

    private async Task SuperviseLoopAsync(IAlarmForwarder path, CancellationToken stoppingToken)
    {
        var interval = _options.SupervisionInterval!.Value;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var now = _time.GetUtcNow();
                var suspect = _status.IsSuspect(path.Path, now, TimeSpan.MaxValue);
                var wait = suspect && _options.Retry.PathRetryAfter < interval ? _options.Retry.PathRetryAfter : interval;
                if (wait <= TimeSpan.Zero)
                {
                    wait = interval;
                }

                await Task.Delay(wait, _time, stoppingToken);
                ForwardAttempt result;
                try
                {
                    result = await path.SuperviseAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    result = new ForwardAttempt(ForwardOutcome.Failed, "ERROR", ex.Message, TimeSpan.Zero);
                }

                var wasSuspect = _status.IsSuspect(path.Path, _time.GetUtcNow(), TimeSpan.MaxValue);
                _status.Report(path.Path, result, _time.GetUtcNow(), supervision: true);
                if (result.Outcome == ForwardOutcome.Failed)
                {
                    _logger.LogWarning("Supervision of {Path} receiver {Receiver} failed: {Detail}", path.Path, path.Receiver, result.Detail);
                }
                else if (wasSuspect)
                {
                    _logger.LogInformation("{Path} receiver {Receiver} answers again; alarms go to it first", path.Path, path.Receiver);
                    _signal.Notify();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

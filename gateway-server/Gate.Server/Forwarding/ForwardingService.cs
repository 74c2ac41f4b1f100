using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Gate.Server.Forwarding;

/// <summary>
/// Drains the forwarding outbox: in order per school (the next alarm of a school waits for the one before it), in
/// parallel across schools, woken the moment an alarm is enqueued and by a timer for retries. Each round tries the
/// paths in order (a path that just failed goes last until it answers again), records every try in the trail with
/// the alarm's forwarded / police_ack / trouble step in the same transaction (<see cref="IDeliveryProgress"/>), and
/// schedules the next round with exponential backoff. Woken by <see cref="AlarmOutbox.Wake"/> after an enqueue
/// commits. Also sends DC-09 NULL supervision messages on each receiver link.
/// </summary>
public sealed class ForwardingService : BackgroundService
{
    /// <summary>Even with nothing due, look at the outbox this often (a safety net, not the delivery path).</summary>
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);

    private readonly ForwardingStore _store;
    private readonly ForwardingPaths _paths;
    private readonly ForwardingStatus _status;
    private readonly IDeliveryProgress _progress;
    private readonly ForwardingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ForwardingService> _logger;
    private readonly DeliveryLatency _latency;
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _parallel;
    private readonly AlarmOutbox _outbox;
    private readonly Metrics.GateMetrics _metrics;

    public ForwardingService(
        ForwardingStore store,
        ForwardingPaths paths,
        ForwardingStatus status,
        AlarmOutbox outbox,
        IDeliveryProgress progress,
        IOptions<ForwardingOptions> options,
        TimeProvider time,
        Metrics.GateMetrics metrics,
        ILogger<ForwardingService> logger,
        DeliveryLatency? latency = null)
    {
        _metrics = metrics;
        _latency = latency ?? new DeliveryLatency();
        _store = store;
        _paths = paths;
        _status = status;
        _progress = progress;
        _outbox = outbox;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _parallel = new SemaphoreSlim(_options.MaxParallelSchools, _options.MaxParallelSchools);
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

        // A restart is often the fix (new configuration, receiver back): try every waiting alarm at once. If even that
        // write fails (disk full), forwarding still runs: the alarms are tried at their scheduled times instead.
        try
        {
            await _store.MakeAllDueAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogError(ex, "Could not make the waiting alarms due at start; they are tried at their scheduled times");
        }

        var supervision = SupervisionOn
            ? _paths.All.Where(p => p.SupportsSupervision).Select(p => SuperviseLoopAsync(p, stoppingToken)).ToArray()
            : [];

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
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

                await WaitAsync(nextDueMs, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; whatever is not acknowledged stays in the outbox for the next start.
        }

        await Task.WhenAll(_running.Values.Concat(supervision).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
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
            await _outbox.WaitAsync(linked.Token);
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
            _outbox.Wake();
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

    /// <summary>The stages of an acknowledged alarm after it was stored (press → stored is timed by the alarm service).</summary>
    private void RecordStages(ForwardItem item, ForwardAttempt attempt, DateTimeOffset answeredAt, TimeSpan ackToDevice)
    {
        // enqueued_at is SQLite's clock: under a test clock the difference means nothing, and is then not counted.
        var queued = answeredAt - item.EnqueuedAt - attempt.Latency;
        if (queued >= TimeSpan.Zero)
        {
            _latency.Record(DeliveryStage.StoredToSent, queued);
        }

        _latency.Record(DeliveryStage.PoliceRoundTrip, attempt.Latency);
        _latency.Record(DeliveryStage.AckToDevice, ackToDevice);
        _latency.Record(DeliveryStage.PressToPoliceAck, answeredAt - item.Request.RaisedAt + ackToDevice);
    }

    /// <summary>One delivery round for one alarm. True when the school can move on to its next alarm.</summary>
    private async Task<bool> DeliverAsync(ForwardItem item, CancellationToken cancellationToken)
    {
        var request = item.Request;
        using var scope = Alarms.AlarmLogScope.Begin(_logger, request.AlarmId, request.DeviceId);
        var attempts = item.Attempts + 1;
        var paths = OrderPaths(_time.GetUtcNow());
        var errors = new List<string>();
        var anySent = false;
        var allRejected = true;
        var forwardedRecorded = false;

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
            _metrics.DeliveryAttempt(path.Path, attempt.Outcome);

            // "forwarded" tells the guard the police platform has the alarm: only when a receiver answered. A link that
            // is down is not "forwarded"; after TroubleAfterAttempts the device hears "failed" instead.
            var steps = new List<Func<SqliteConnection, SqliteTransaction, DeliveryAnnouncement?>>();
            if (attempt.Outcome is ForwardOutcome.Acknowledged or ForwardOutcome.Rejected && !forwardedRecorded)
            {
                forwardedRecorded = true;
                var (receiver, pathName) = (path.Receiver, path.Path);
                steps.Add((c, tx) => _progress.Forwarded(c, tx, request.AlarmId, receiver, pathName, at));
            }

            if (attempt.Outcome == ForwardOutcome.Acknowledged)
            {
                var (receiver, pathName) = (path.Receiver, path.Path);
                steps.Add((c, tx) => _progress.PoliceAcknowledged(c, tx, request.AlarmId, receiver, pathName, at, latency));
            }

            // The try, the delivered state and the alarm's forwarded and police_ack steps are one transaction: one police
            // ACK is one commit (one fsync, shared with whatever else the group commit carries) before the device hears of it.
            var announcements = new List<DeliveryAnnouncement>();
            var answeredTicks = _time.GetTimestamp();
            await _store.RecordAttemptAsync(request.AlarmId, at, path.Receiver, path.Path, attempt.Outcome.ToString().ToLowerInvariant(),
                response, attempt.Latency, attempt.Outcome == ForwardOutcome.Acknowledged ? (latency, attempts) : null,
                steps.Count == 0 ? null : RecordSteps(steps, announcements), cancellationToken, attempt.Sequence);
            if (attempt.Outcome == ForwardOutcome.Acknowledged)
            {
                // Before the announcement, so whoever hears of the ack finds the alarm already counted.
                RecordStages(item, attempt, at, _time.GetElapsedTime(answeredTicks));
            }

            await AnnounceAsync(announcements);

            if (attempt.Sequence is { } number && item.Dc09Sequence is null)
            {
                item = item with { Dc09Sequence = number };
            }

            switch (attempt.Outcome)
            {
                case ForwardOutcome.Acknowledged:
                    _logger.LogInformation("Alarm {AlarmId} ({Kind}) acknowledged by {Path} {Receiver} in {LatencyMs:0.0} ms (attempt {Attempt})",
                        request.AlarmId, request.Kind, path.Path, path.Receiver, latency.TotalMilliseconds, attempts);
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
            var rejected = new List<DeliveryAnnouncement>();
            LogTrouble(request, reason);
            await _store.MarkRejectedAsync(request.AlarmId, attempts, reason, now, RecordSteps([Trouble(request, reason, now)], rejected), cancellationToken);
            await AnnounceAsync(rejected);
            return true;
        }

        var error = paths.Count == 0
            ? "no police receiver is configured"
            : string.Join("; ", errors);
        var delay = paths.Count == 0 ? _options.Retry.MaxDelay : Backoff(attempts);
        var troubleNow = attempts >= _options.Retry.TroubleAfterAttempts || !anySent;
        var troubleReason = $"Not delivered to the police after {attempts} attempt(s): {error}. Still retrying.";
        var trouble = new List<DeliveryAnnouncement>();
        var raised = await _store.ScheduleRetryAsync(request.AlarmId, attempts, (now + delay).ToUnixTimeMilliseconds(), error, troubleNow ? now : null,
            RecordSteps([Trouble(request, troubleReason, now)], trouble), cancellationToken);
        _logger.LogWarning("Alarm {AlarmId} not acknowledged (attempt {Attempt}): {Error}; next try in {Delay}", request.AlarmId, attempts, error, delay);
        if (raised)
        {
            LogTrouble(request, troubleReason);
            await AnnounceAsync(trouble);
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

    private Func<SqliteConnection, SqliteTransaction, DeliveryAnnouncement?> Trouble(ForwardRequest request, string reason, DateTimeOffset at) =>
        (c, tx) => _progress.DeliveryTrouble(c, tx, request.AlarmId, reason, at);

    private void LogTrouble(ForwardRequest request, string reason) =>
        _logger.LogError("DELIVERY TROUBLE for alarm {AlarmId} ({Kind}) at school {School}: {Reason}", request.AlarmId, request.Kind, request.SchoolId, reason);

    /// <summary>
    /// The alarm-side steps of a delivery write, each in its own savepoint: the alarm's bookkeeping failing must never
    /// undo the delivery record. What they return is collected to be announced once the write has committed.
    /// </summary>
    private Action<SqliteConnection, SqliteTransaction> RecordSteps(
        IReadOnlyList<Func<SqliteConnection, SqliteTransaction, DeliveryAnnouncement?>> steps, List<DeliveryAnnouncement> announcements) =>
        (connection, tx) =>
        {
            foreach (var step in steps)
            {
                DeliveryAnnouncement? announcement = null;
                if (ForwardingStore.TryInSavepoint(connection, tx, () => announcement = step(connection, tx), out var error))
                {
                    if (announcement is not null)
                    {
                        announcements.Add(announcement);
                    }
                }
                else
                {
                    _logger.LogError(error, "Recording a delivery step on the alarm failed; the delivery record is kept");
                }
            }
        };

    /// <summary>After the commit: the device and the status page hear of the steps. Their trouble never stops delivery.</summary>
    private async Task AnnounceAsync(List<DeliveryAnnouncement> announcements)
    {
        foreach (var announce in announcements)
        {
            try
            {
                await announce(CancellationToken.None);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Announcing a delivery step failed");
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
                    _outbox.Wake();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

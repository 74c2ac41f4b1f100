using System.Diagnostics;

namespace Gate.Firmware.Host.Simulation;

/// <summary>
/// One thread that polls many virtual controllers, as each device's own loop would: a swarm of thousands
/// costs one thread, not thousands. Each controller is polled under its own lock.
/// </summary>
public sealed class GateTicker : IDisposable
{
    private readonly object _gate = new();
    private readonly List<VirtualGateController> _controllers = new();
    private readonly Thread _thread;
    private readonly TimeSpan _interval;
    private volatile bool _stopped;

    public GateTicker(TimeSpan interval)
    {
        _interval = interval;
        _thread = new Thread(Run) { IsBackground = true, Name = "gate-ticker" };
        _thread.Start();
    }

    /// <summary>The ticker shared by controllers that were not given one.</summary>
    public static GateTicker Shared { get; } = new(TimeSpan.FromMilliseconds(20));

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _controllers.Count;
            }
        }
    }

    internal void Add(VirtualGateController controller)
    {
        lock (_gate)
        {
            _controllers.Add(controller);
        }
    }

    internal void Remove(VirtualGateController controller)
    {
        lock (_gate)
        {
            _controllers.Remove(controller);
        }
    }

    private void Run()
    {
        var snapshot = new List<VirtualGateController>();
        var clock = Stopwatch.StartNew();
        while (!_stopped)
        {
            var started = clock.Elapsed;
            lock (_gate)
            {
                snapshot.Clear();
                snapshot.AddRange(_controllers);
            }

            foreach (var controller in snapshot)
            {
                controller.Tick();
            }

            var left = _interval - (clock.Elapsed - started);
            if (left > TimeSpan.Zero)
            {
                Thread.Sleep(left);
            }
        }
    }

    public void Dispose()
    {
        _stopped = true;
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Gate.LoadTest.Faults;

/// <summary>
/// A TCP relay in front of one listener that holds every chunk it relays for <see cref="DelayMs"/> in each direction,
/// in order: added latency for a link, where the kernel has no netem. Zero delay relays at once, so it can sit on the
/// link from the start and be turned on when the measuring window opens.
/// </summary>
public sealed class DelayProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pumps = [];
    private Task? _accept;

    public DelayProxy(IPEndPoint target) => _target = target;

    /// <summary>Added one-way latency in milliseconds (changed while running).</summary>
    public int DelayMs { get; set; }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    public DelayProxy Start()
    {
        _listener.Start(8192);
        _accept = AcceptAsync();
        return this;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (_pumps)
            {
                _pumps.Add(RelayAsync(inbound));
            }
        }
    }

    private async Task RelayAsync(TcpClient inbound)
    {
        using var client = inbound;
        using var server = new TcpClient();
        try
        {
            client.NoDelay = server.NoDelay = true;
            await server.ConnectAsync(_target, _stop.Token);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = PumpAsync(client.GetStream(), server.GetStream(), linked.Token);
            var down = PumpAsync(server.GetStream(), client.GetStream(), linked.Token);
            await Task.WhenAny(up, down);
            await linked.CancelAsync();
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Reads chunks as they come and writes each one DelayMs after it was read, in order.</summary>
    private async Task PumpAsync(NetworkStream from, NetworkStream to, CancellationToken ct)
    {
        var queue = Channel.CreateUnbounded<(long DueTicks, byte[] Bytes)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writer = Task.Run(async () =>
        {
            await foreach (var (due, bytes) in queue.Reader.ReadAllAsync(ct))
            {
                var left = due - Stopwatch.GetTimestamp();
                if (left > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(left / (double)Stopwatch.Frequency), ct);
                }

                await to.WriteAsync(bytes, ct);
            }
        }, ct);
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReadAsync(buffer, ct);
                if (n == 0)
                {
                    break;
                }

                var due = Stopwatch.GetTimestamp() + (long)(DelayMs / 1000.0 * Stopwatch.Frequency);
                queue.Writer.TryWrite((due, buffer[..n]));
            }
        }
        finally
        {
            queue.Writer.TryComplete();
        }

        await writer;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        if (_accept is not null)
        {
            await _accept;
        }

        Task[] pumps;
        lock (_pumps)
        {
            pumps = [.. _pumps];
        }

        await Task.WhenAll(pumps);
        _stop.Dispose();
    }
}

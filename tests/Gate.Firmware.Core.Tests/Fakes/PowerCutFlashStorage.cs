namespace Gate.Firmware.Core.Tests.Fakes;

/// <summary>What reaches the flash of the operations not yet flushed when the power fails.</summary>
public enum CutMode
{
    /// <summary>Everything done before the cut, in order; a file being written keeps the bytes written so far.</summary>
    InOrder,

    /// <summary>As InOrder, but the last rename (and everything after it) never reached the flash.</summary>
    LoseLastRename,

    /// <summary>
    /// The write cache reached the flash newest first: only the newest unflushed operation landed, and a file
    /// being written has its full length with the bytes not yet written still erased (0xFF).
    /// </summary>
    Reordered,
}

/// <summary>Thrown by every flash operation from the power cut on: the code that runs after it never happened.</summary>
public sealed class PowerCutException : IOException
{
    public PowerCutException() : base("power cut") { }
}

/// <summary>
/// IFlashStorage that does, step for step, what the device's InternalFlashStorage does on the ESP32's flash
/// file system (write "name.tmp" with RecordFrame's footer byte by byte, flush, delete the target, rename;
/// at mount promote or delete a leftover temp file), over a simulated flash that can lose power before any
/// step. Each byte written, each flush, delete and rename is one step; CutAt names the step the power fails
/// at, and Mode says what of the unflushed operations survives. Reboot() mounts what is on the flash.
/// </summary>
public sealed class PowerCutFlashStorage : IFlashStorage
{
    private readonly Dictionary<string, byte[]> _flash;
    private readonly Dictionary<string, byte[]> _view;
    private readonly List<Op> _unflushed = new();

    public PowerCutFlashStorage(long cutAt = -1, CutMode mode = CutMode.InOrder)
        : this(new Dictionary<string, byte[]>(StringComparer.Ordinal), cutAt, mode, 0)
    {
    }

    private PowerCutFlashStorage(Dictionary<string, byte[]> flash, long cutAt, CutMode mode, long steps)
    {
        _flash = flash;
        CutAt = cutAt;
        Mode = mode;
        Steps = steps;
        Mount();
        _view = new Dictionary<string, byte[]>(_flash, StringComparer.Ordinal);
    }

    /// <summary>Steps taken so far over all boots of this flash (a run without a cut counts the cut points).</summary>
    public long Steps { get; private set; }

    public long CutAt { get; }

    public CutMode Mode { get; }

    public bool PoweredOff { get; private set; }

    /// <summary>Files on the flash itself (raw, with footers), for assertions.</summary>
    public IReadOnlyDictionary<string, byte[]> Flash => _flash;

    /// <summary>Power back on: a new storage over what reached the flash, recovered as the device does at mount.</summary>
    public PowerCutFlashStorage Reboot(long cutAt = -1, CutMode? mode = null)
    {
        if (!PoweredOff)
        {
            // A clean reboot: the file system was unmounted, everything is on the flash.
            Apply(_unflushed);
            _unflushed.Clear();
        }

        return new PowerCutFlashStorage(new Dictionary<string, byte[]>(_flash, StringComparer.Ordinal), cutAt, mode ?? Mode, Steps);
    }

    /// <summary>Puts a file on the flash as nanoff deploys it (no footer), outside the step count.</summary>
    public void Deploy(string name, byte[] raw)
    {
        _flash[name] = raw;
        _view[name] = raw;
    }

    public byte[] Read(string name)
    {
        Alive();
        if (!_view.TryGetValue(name, out var raw))
        {
            return null!;
        }

        return RecordFrame.Unwrap(raw) ?? (byte[])raw.Clone();
    }

    public void Write(string name, byte[] data)
    {
        Assert.True(RecordName.IsValid(name), "invalid record name " + name);
        string tmp = name + RecordFrame.TempSuffix;
        byte[] wrapped = RecordFrame.Wrap(data);
        Step();
        _view[tmp] = Array.Empty<byte>();
        var write = new Op(OpKind.Write, tmp, null, wrapped) { Written = 0 };
        _unflushed.Add(write);
        for (int i = 0; i < wrapped.Length; i++)
        {
            Step();
            write.Written = i + 1;
            _view[tmp] = wrapped[..(i + 1)];
        }

        Step();
        Apply(_unflushed);
        _unflushed.Clear();

        if (_view.ContainsKey(name))
        {
            Step();
            _view.Remove(name);
            _unflushed.Add(new Op(OpKind.Delete, name, null, null));
        }

        Step();
        _view[name] = _view[tmp];
        _view.Remove(tmp);
        _unflushed.Add(new Op(OpKind.Rename, tmp, name, null));
    }

    public void Delete(string name)
    {
        Alive();
        if (!_view.ContainsKey(name))
        {
            return;
        }

        Step();
        _view.Remove(name);
        _unflushed.Add(new Op(OpKind.Delete, name, null, null));
    }

    public string[] List(string prefix)
    {
        Alive();
        return _view.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && !k.EndsWith(RecordFrame.TempSuffix, StringComparison.Ordinal)).ToArray();
    }

    private void Alive()
    {
        if (PoweredOff)
        {
            throw new PowerCutException();
        }
    }

    private void Step()
    {
        Alive();
        Steps++;
        if (Steps == CutAt)
        {
            Cut();
            throw new PowerCutException();
        }
    }

    private void Cut()
    {
        PoweredOff = true;
        var landed = _unflushed.ToList();
        if (Mode == CutMode.LoseLastRename)
        {
            int last = landed.FindLastIndex(o => o.Kind == OpKind.Rename);
            if (last >= 0)
            {
                landed = landed.Take(last).ToList();
            }
        }
        else if (Mode == CutMode.Reordered && landed.Count > 0)
        {
            var newest = landed[^1];
            if (newest.Kind == OpKind.Write)
            {
                var erased = Enumerable.Repeat((byte)0xFF, newest.Data!.Length).ToArray();
                Array.Copy(newest.Data, erased, newest.Written);
                newest = new Op(OpKind.Write, newest.Name, null, erased) { Written = erased.Length };
            }

            landed = new List<Op> { newest };
        }

        Apply(landed);
        _unflushed.Clear();
    }

    private void Apply(List<Op> ops)
    {
        foreach (var op in ops)
        {
            switch (op.Kind)
            {
                case OpKind.Write:
                    _flash[op.Name] = op.Data![..op.Written];
                    break;
                case OpKind.Delete:
                    _flash.Remove(op.Name);
                    break;
                case OpKind.Rename:
                    if (_flash.Remove(op.Name, out var moved))
                    {
                        _flash[op.Target!] = moved;
                    }

                    break;
            }
        }
    }

    /// <summary>InternalFlashStorage's start-up recovery, with RecordFrame's decision.</summary>
    private void Mount()
    {
        foreach (var tmp in _flash.Keys.Where(k => k.EndsWith(RecordFrame.TempSuffix, StringComparison.Ordinal)).ToList())
        {
            string target = tmp[..^RecordFrame.TempSuffix.Length];
            if (RecordFrame.ShouldPromote(_flash[tmp]))
            {
                _flash[target] = _flash[tmp];
            }

            _flash.Remove(tmp);
        }
    }

    private enum OpKind { Write, Delete, Rename }

    private sealed class Op(OpKind kind, string name, string? target, byte[]? data)
    {
        public OpKind Kind { get; } = kind;

        public string Name { get; } = name;

        public string? Target { get; } = target;

        public byte[]? Data { get; } = data;

        public int Written { get; set; }
    }
}

using System.Numerics;

namespace Gate.LoadTest;

/// <summary>
/// `--name value` pairs after a verb. Deliberately tiny: the child processes of a swarm are started with the same
/// syntax, so one parser must read what the parent writes, and every option has a documented default.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    public CommandLine(string verb, IEnumerable<string> options)
    {
        Verb = verb;
        string? pending = null;
        foreach (var token in options)
        {
            if (token.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    _values[pending] = "true";
                }

                pending = token[2..];
                var eq = pending.IndexOf('=');
                if (eq > 0)
                {
                    _values[pending[..eq]] = pending[(eq + 1)..];
                    pending = null;
                }
            }
            else if (pending is not null)
            {
                _values[pending] = token;
                pending = null;
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{token}' (options are --name value)");
            }
        }

        if (pending is not null)
        {
            _values[pending] = "true";
        }
    }

    public string Verb { get; }

    public string String(string name, string fallback)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) ? v : fallback;
    }

    public string? OptionalString(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) ? v : null;
    }

    public int Int(string name, int fallback) => Number(name, fallback, NumberStyles.Integer, "an integer");

    public double Double(string name, double fallback) => Number(name, fallback, NumberStyles.Float, "a number");

    private T Number<T>(string name, T fallback, NumberStyles style, string what)
        where T : INumberBase<T>
    {
        _read.Add(name);
        if (!_values.TryGetValue(name, out var v))
        {
            return fallback;
        }

        return T.TryParse(v, style, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ArgumentException($"--{name} must be {what}, got '{v}'");
    }

    public bool Flag(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) && v is "true" or "1" or "yes";
    }

    /// <summary>Fails on a misspelt option instead of silently running with a default.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException("unknown option(s): " + string.Join(", ", unknown.Select(u => "--" + u)));
        }
    }
}

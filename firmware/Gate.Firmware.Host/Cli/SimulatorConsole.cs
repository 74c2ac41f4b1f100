using System.Globalization;
using Gate.Contracts;
using Gate.Firmware.Feedback;
using Gate.Firmware.Host.Simulation;

namespace Gate.Firmware.Host.Cli;

/// <summary>
/// The text commands of gate-sim, typed at the keyboard (run) or read from a file (script). One command a
/// line; '#' starts a comment. "expect-..." commands make a script a test: the script fails if one times out.
/// </summary>
public sealed class SimulatorConsole
{
    public const string Help = """
        press | release            hold / let go of the panic button
        panic                      press until the alarm is raised, then release
        duress press|release       the duress input
        bollard up|down|between|both   set the bollard's limit switches directly
        bollard force              push the bollard down without a command (bollard_forced)
        bollard fault on|off       the motor fault input
        bollard jam on|off         the bollard ignores its relay (travel timeout)
        barrier open|close|request the barrier arm sensor / the guard's open button (authorises)
        mains off|on               cut or restore mains power
        enclosure open|close       the tamper switch
        battery <mV>               battery voltage
        loop normal|alarm|cut|short    supervised panic loop (config with panic_loop)
        wait <ms>                  let time pass
        expect-connected [s]       wait until connected to the broker
        expect-ack <stage> [s]     wait until the last alarm reaches received|forwarded|police_ack|operator_ack|failed
        expect-feedback <pattern> [s]  wait for idle|sending|received|not_at_police|police_ack|trouble|drill
        status                     print the controller's state
        crash                      power cut: drop without DISCONNECT (last will), keep flash
        restart                    power back: boot again over the same flash
        quit                       stop
        """;

    private readonly VirtualGateController _gate;
    private readonly TextWriter _out;
    private string? _lastAlarmId;

    public SimulatorConsole(VirtualGateController gate, TextWriter output)
    {
        _gate = gate;
        _out = output;
        gate.AlarmRaised += (_, e) =>
        {
            _lastAlarmId = e.Alarm.Id;
            Say("alarm " + e.Alarm.Id + " " + e.Alarm.Kind + (e.Alarm.Restore ? " (restore)" : string.Empty) + (e.Alarm.Detail is null ? string.Empty : " " + e.Alarm.Detail));
        };
        gate.AckReceived += (_, e) =>
        {
            if (e.IsFirst)
            {
                Say("ack " + e.AlarmId + " " + e.Stage);
            }
        };
        gate.FeedbackChanged += (_, p) => Say("feedback " + p + Meaning(p));
        gate.CommandHandled += (_, c) => Say("command " + c.Command.Id + " " + (c.Command.Name ?? "?") + " -> " + c.Result.Result + (c.Result.Detail is null ? string.Empty : " " + c.Result.Detail));
    }

    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>What the guard reads from the light, after the pattern's name: the one that needs action says so.</summary>
    public static string Meaning(string pattern) => pattern switch
    {
        FeedbackPatterns.NotAtPoliceName => " (NOT AT THE POLICE: call 110 by phone)",
        FeedbackPatterns.PoliceAckName => " (the police have it)",
        _ => string.Empty,
    };

    private void Say(string text)
    {
        lock (_out)
        {
            _out.WriteLine(DateTime.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) + " " + _gate.Device + " " + text);
        }
    }

    /// <summary>Runs one line. Returns false to stop (quit); throws on a failed expectation or a bad command.</summary>
    public async Task<bool> ExecuteAsync(string line)
    {
        var hash = line.IndexOf('#');
        var words = (hash >= 0 ? line[..hash] : line).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0)
        {
            return true;
        }

        string Arg(int i) => words.Length > i ? words[i] : throw new FormatException("'" + words[0] + "' needs more arguments; type help");
        TimeSpan Timeout(int i) => words.Length > i ? TimeSpan.FromSeconds(double.Parse(words[i], CultureInfo.InvariantCulture)) : DefaultTimeout;

        switch (words[0])
        {
            case "help":
                lock (_out) { _out.WriteLine(Help); }
                break;
            case "press": _gate.PressPanic(); break;
            case "release": _gate.ReleasePanic(); break;
            case "panic":
                Say("raised " + await _gate.TriggerPanicAsync(DefaultTimeout).ConfigureAwait(false));
                break;
            case "duress":
                if (Arg(1) == "press") { _gate.PressDuress(); } else { _gate.ReleaseDuress(); }
                break;
            case "bollard":
                switch (Arg(1))
                {
                    case "up": _gate.SetBollardLimits(true, false); break;
                    case "down": _gate.SetBollardLimits(false, true); break;
                    case "between": _gate.SetBollardLimits(false, false); break;
                    case "both": _gate.SetBollardLimits(true, true); break;
                    case "force": _gate.ForceBollardDown(); break;
                    case "fault": _gate.SetBollardMotorFault(Arg(2) == "on"); break;
                    case "jam": _gate.BollardJammed = Arg(2) == "on"; break;
                    default: throw new FormatException("bollard up|down|between|both|force|fault on|off|jam on|off");
                }

                break;
            case "barrier":
                switch (Arg(1))
                {
                    case "open": _gate.OpenBarrier(); break;
                    case "close": _gate.CloseBarrier(); break;
                    case "request":
                        _gate.RequestBarrier(true);
                        await Task.Delay(200).ConfigureAwait(false);
                        _gate.RequestBarrier(false);
                        break;
                    default: throw new FormatException("barrier open|close|request");
                }

                break;
            case "mains":
                if (Arg(1) == "off") { _gate.CutMains(); } else { _gate.RestoreMains(); }
                break;
            case "enclosure":
                if (Arg(1) == "open") { _gate.OpenEnclosure(); } else { _gate.CloseEnclosure(); }
                break;
            case "battery":
                _gate.SetBatteryMillivolts(int.Parse(Arg(1), CultureInfo.InvariantCulture));
                break;
            case "loop":
                switch (Arg(1))
                {
                    case "normal": _gate.ReleasePanic(); break;
                    case "alarm": _gate.PressPanic(); break;
                    case "cut": _gate.CutPanicWire(); break;
                    case "short": _gate.ShortPanicWire(); break;
                    default: throw new FormatException("loop normal|alarm|cut|short");
                }

                break;
            case "wait":
                await Task.Delay(int.Parse(Arg(1), CultureInfo.InvariantCulture)).ConfigureAwait(false);
                break;
            case "expect-connected":
                await _gate.WaitConnectedAsync(Timeout(1)).ConfigureAwait(false);
                Say("connected");
                break;
            case "expect-ack":
                var stage = Arg(1);
                if (!AckStage.IsKnown(stage))
                {
                    throw new FormatException("unknown stage '" + stage + "'");
                }

                var id = _lastAlarmId ?? throw new InvalidOperationException("expect-ack: no alarm raised yet");
                await _gate.WaitForAckAsync(id, stage, Timeout(2)).ConfigureAwait(false);
                break;
            case "expect-feedback":
                await _gate.WaitForFeedbackAsync(Arg(1), Timeout(2)).ConfigureAwait(false);
                break;
            case "status":
                Say("connected=" + _gate.IsConnected + " boot=" + _gate.BootCount + " latched=" + _gate.PanicLatched + " drill=" + _gate.DrillMode
                    + " bollard=" + _gate.BollardPosition + " outbox=" + _gate.OutboxDepth + " feedback=" + _gate.FeedbackPattern + Meaning(_gate.FeedbackPattern)
                    + " led=" + (_gate.LedOn ? "on" : "off") + " buzzer=" + (_gate.BuzzerOn ? "on" : "off"));
                break;
            case "crash":
                _gate.Crash();
                Say("crashed (power cut)");
                break;
            case "restart":
                _gate.Restart();
                Say("restarted, boot " + _gate.BootCount);
                break;
            case "quit":
            case "exit":
                return false;
            default:
                throw new FormatException("unknown command '" + words[0] + "'; type help");
        }

        return true;
    }
}

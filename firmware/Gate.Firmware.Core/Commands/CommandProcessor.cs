using System;
using System.Collections;
using Gate.Contracts;
using Gate.Contracts.Json;
using Gate.Firmware.Alarms;
using Gate.Firmware.Devices;

namespace Gate.Firmware.Commands
{
    /// <summary>
    /// Runs the server's commands and answers each on the result topic: a re-delivered command (same id, QoS 1) is
    /// answered again and not acted on twice; one older than its ttl_s (once the clock is set) is expired; one the device
    /// cannot run is still answered when its id is readable, so the server does not wait for a result that never comes.
    /// The answers wait here until the publisher sends them.
    /// </summary>
    public sealed class CommandProcessor
    {
        /// <summary>A reboot or reload waits this long, so its command's result can leave first.</summary>
        public const long ActionDelayMs = 1000;

        /// <summary>Answers kept while offline; beyond it the oldest is let go (the server times it out).</summary>
        public const int MaxPendingResults = 8;

        private const int RememberedCommands = 16;

        private readonly string _device;
        private readonly GuardAlarms _guard;
        private readonly Bollard _bollard;
        private readonly ActionRequest _actions;
        private readonly ArrayList _pendingResults = new ArrayList();
        private readonly ArrayList _answered = new ArrayList();
        private DateTime _utcNow = DateTime.MinValue;
        private bool _stateChanged;

        /// <param name="bollard">Null when no bollard is fitted.</param>
        public CommandProcessor(string device, GuardAlarms guard, Bollard bollard, ActionRequest actions)
        {
            _device = device;
            _guard = guard;
            _bollard = bollard;
            _actions = actions;
        }

        public event CommandHandledHandler Handled;

        /// <summary>Encoded results not yet published, oldest first.</summary>
        public int PendingResults { get { return _pendingResults.Count; } }

        /// <summary>The oldest result not yet published; null when none waits.</summary>
        public byte[] PeekResult()
        {
            return _pendingResults.Count == 0 ? null : (byte[])_pendingResults[0];
        }

        /// <summary>The result PeekResult gave has been published.</summary>
        public void ResultSent()
        {
            if (_pendingResults.Count > 0)
            {
                _pendingResults.RemoveAt(0);
            }
        }

        /// <summary>One command payload from the server. True when the device's published state changed.</summary>
        public bool Handle(byte[] payload, long nowMs, DateTime utcNow)
        {
            _utcNow = utcNow;
            _stateChanged = false;
            Command command;
            string error;
            if (!WireCodec.TryDecodeCommand(payload, out command, out error))
            {
                string id = ReadCommandId(payload);
                if (id != null)
                {
                    Command bad = new Command();
                    bad.Id = id;
                    bool unknownName = error != null && error.IndexOf("bad_value:name") == 0;
                    Answer(bad, unknownName ? CommandOutcome.UnknownCommand : CommandOutcome.Rejected, error, nowMs);
                }

                return false;
            }

            byte[] earlier = AnswerFor(command.Id);
            if (earlier != null)
            {
                // QoS 1 re-delivery: answer again, do not act twice.
                QueueResult(earlier);
            }
            else if (UtcTime.IsSet(utcNow) && UtcTime.IsSet(command.Timestamp) && utcNow > command.Timestamp.AddSeconds(command.TtlSeconds))
            {
                Answer(command, CommandOutcome.Expired, null, nowMs);
            }
            else
            {
                Run(command, nowMs);
            }

            return _stateChanged;
        }

        private void Run(Command command, long nowMs)
        {
            string name = command.Name;
            if (name == CommandName.RaiseBollard || name == CommandName.LowerBollard)
            {
                if (_bollard == null)
                {
                    Answer(command, CommandOutcome.Rejected, "no_bollard", nowMs);
                    return;
                }

                bool moved = _bollard.Command(name == CommandName.RaiseBollard, nowMs);
                _stateChanged = true;
                Answer(command, CommandOutcome.Ok, moved ? "moving" : "already_there", nowMs);
            }
            else if (name == CommandName.DrillOn)
            {
                if (_guard.HoldsRealAlarm)
                {
                    Answer(command, CommandOutcome.Rejected, "alarm_latched", nowMs);
                    return;
                }

                SetDrill(true, nowMs);
                Answer(command, CommandOutcome.Ok, null, nowMs);
            }
            else if (name == CommandName.DrillOff)
            {
                SetDrill(false, nowMs);
                Answer(command, CommandOutcome.Ok, null, nowMs);
            }
            else if (name == CommandName.ResetLatch)
            {
                bool wasLatched = _guard.AnyLatched;
                _guard.ResetLatches();
                Answer(command, CommandOutcome.Ok, wasLatched ? null : "not_latched", nowMs);
            }
            else if (name == CommandName.Reboot)
            {
                Answer(command, CommandOutcome.Ok, null, nowMs);
                _actions.Request(PendingAction.Reboot, "command", nowMs, ActionDelayMs);
            }
            else if (name == CommandName.ReloadConfig)
            {
                Answer(command, CommandOutcome.Ok, null, nowMs);
                _actions.Request(PendingAction.ReloadConfig, "command", nowMs, ActionDelayMs);
            }
            else
            {
                Answer(command, CommandOutcome.UnknownCommand, null, nowMs);
            }
        }

        private void SetDrill(bool on, long nowMs)
        {
            _guard.SetDrill(on, nowMs);
            _stateChanged = true;
        }

        /// <summary>An id read from a payload that does not decode as a command, or null when there is none to answer.</summary>
        private static string ReadCommandId(byte[] payload)
        {
            if (payload == null || payload.Length == 0 || payload.Length > Limits.MaxPayloadBytes)
            {
                return null;
            }

            object parsed;
            string error;
            if (!JsonReader.TryParseUtf8(payload, 0, payload.Length, Limits.MaxJsonDepth, out parsed, out error))
            {
                return null;
            }

            Hashtable h = parsed as Hashtable;
            string id = h == null ? null : h["id"] as string;
            return Identifier.IsValid(id) ? id : null;
        }

        private void Answer(Command command, string outcome, string detail, long nowMs)
        {
            CommandResult r = new CommandResult();
            r.Id = command.Id;
            r.Device = _device;
            r.Result = outcome;
            r.Detail = detail != null && detail.Length > Limits.MaxStringLength ? detail.Substring(0, Limits.MaxStringLength) : detail;
            r.Timestamp = UtcTime.IsSet(_utcNow) ? _utcNow : UtcTime.NotSet;
            byte[] bytes = WireCodec.EncodeResult(r);
            _answered.Add(new AnsweredCommand(command.Id, bytes));
            if (_answered.Count > RememberedCommands)
            {
                _answered.RemoveAt(0);
            }

            QueueResult(bytes);
            if (Handled != null)
            {
                Handled(command, r, nowMs);
            }
        }

        private byte[] AnswerFor(string id)
        {
            for (int i = 0; i < _answered.Count; i++)
            {
                AnsweredCommand seen = (AnsweredCommand)_answered[i];
                if (seen.Id == id)
                {
                    return seen.Result;
                }
            }

            return null;
        }

        private void QueueResult(byte[] bytes)
        {
            if (_pendingResults.Count >= MaxPendingResults)
            {
                _pendingResults.RemoveAt(0);
            }

            _pendingResults.Add(bytes);
        }

        private sealed class AnsweredCommand
        {
            public readonly string Id;
            public readonly byte[] Result;

            public AnsweredCommand(string id, byte[] result)
            {
                Id = id;
                Result = result;
            }
        }
    }
}

using Gate.Contracts;

namespace Gate.Firmware
{
    // What the controller reports to the glue and to tests. Own delegates: nanoFramework 1.x has no generic EventHandler.
    public delegate void AlarmRaisedHandler(Alarm alarm, long nowMs);

    public delegate void AlarmAckHandler(string alarmId, string stage, long nowMs);

    public delegate void FeedbackChangedHandler(string pattern, long nowMs);

    public delegate void CommandHandledHandler(Command command, CommandResult result, long nowMs);
}

namespace Gate.Server.Alarms;

/// <summary>What an acknowledge or resolve did: nothing for an unknown alarm, nothing new for one already in that step.</summary>
public enum PersonStepOutcome
{
    NotFound,
    Recorded,
    AlreadyDone,
}

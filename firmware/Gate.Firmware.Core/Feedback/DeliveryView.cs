namespace Gate.Firmware.Feedback
{
    /// <summary>
    /// What the guard must know about the alarms they raised, in rising urgency: the numbers order them, so the
    /// most urgent of several open alarms is simply the largest.
    /// </summary>
    public enum DeliveryView
    {
        /// <summary>No pressed alarm is open.</summary>
        None = 0,

        /// <summary>The police (or a duty officer) acknowledged it: help is on its way.</summary>
        Acknowledged = 1,

        /// <summary>The server has it and is delivering it (or a receiver has answered), within the wait.</summary>
        Received = 2,

        /// <summary>Not yet confirmed by the server, within the wait.</summary>
        Sending = 3,

        /// <summary>The server reported failed, or nothing reached the police within the wait: the guard calls 110.</summary>
        NotAtPolice = 4,
    }
}

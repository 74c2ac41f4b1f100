namespace Gate.Firmware
{
    /// <summary>
    /// What the glue must do after a Poll (the core cannot reboot or reload by itself), once its delay has passed, so a
    /// command's result can leave first. A reboot, once asked for, is never replaced by something milder.
    /// </summary>
    public sealed class ActionRequest
    {
        private PendingAction _action = PendingAction.None;
        private long _atMs;
        private string _reason;

        /// <summary>Why the action was asked for ("command", "offline_too_long"); null before any.</summary>
        public string Reason { get { return _reason; } }

        /// <summary>The action the glue must take now: None until one was asked for and its delay has passed.</summary>
        public PendingAction DueAt(long nowMs)
        {
            return _action != PendingAction.None && nowMs >= _atMs ? _action : PendingAction.None;
        }

        public void Request(PendingAction action, string reason, long nowMs, long delayMs)
        {
            if (_action == PendingAction.Reboot)
            {
                return;
            }

            _action = action;
            _reason = reason;
            _atMs = nowMs + delayMs;
        }
    }
}

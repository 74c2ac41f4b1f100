namespace Gate.Contracts
{
    /// <summary>
    /// The life of one alarm after it left the device, in the AckStage words the server sends on the ack topic:
    /// received (stored durably) -> forwarded (a police receiver answered) -> police_ack -> operator_ack, with
    /// failed (not delivered so far; the server keeps trying) beside forwarded. One rule set for everyone who
    /// follows an alarm's stage, so the device and the server cannot disagree about which ack is news.
    /// docs/protocol.md, "AlarmAck".
    /// </summary>
    public static class AlarmStage
    {
        /// <summary>
        /// Order of progress: received 1, forwarded and failed 2, police_ack 3, operator_ack 4; anything else
        /// (no stage yet, unknown words) 0.
        /// </summary>
        public static int Rank(string stage)
        {
            if (stage == AckStage.Received) { return 1; }
            if (stage == AckStage.Failed) { return 2; }
            if (stage == AckStage.Forwarded) { return 2; }
            if (stage == AckStage.PoliceAck) { return 3; }
            if (stage == AckStage.OperatorAck) { return 4; }
            return 0;
        }

        /// <summary>
        /// True when an alarm at stage <paramref name="from"/> (null or "" before the first ack) moves to
        /// <paramref name="to"/>. Forward only: a higher rank always moves; an acknowledgement is never undone.
        /// At rank 2 the latest delivery news wins: failed replaces received and forwarded (a receiver that took it
        /// and then refused or went silent), forwarded replaces failed (a receiver took it after all).
        /// </summary>
        public static bool Advances(string from, string to)
        {
            if (!AckStage.IsKnown(to))
            {
                return false;
            }

            if (Rank(to) > Rank(from))
            {
                return true;
            }

            if (to == AckStage.Failed)
            {
                return from == AckStage.Received || from == AckStage.Forwarded;
            }

            return to == AckStage.Forwarded && from == AckStage.Failed;
        }

        /// <summary>The server holds the alarm durably: the device may drop it from its outbox.</summary>
        public static bool IsStored(string stage)
        {
            return Rank(stage) >= 1;
        }

        /// <summary>A police receiver has answered for it (forwarded) or acknowledged it, or a duty officer has.</summary>
        public static bool IsAtPolice(string stage)
        {
            return stage == AckStage.Forwarded || IsAcknowledged(stage);
        }

        /// <summary>A person or the police platform confirmed it: help is on its way.</summary>
        public static bool IsAcknowledged(string stage)
        {
            return stage == AckStage.PoliceAck || stage == AckStage.OperatorAck;
        }

        /// <summary>The server reports that it could not deliver the alarm to the police so far.</summary>
        public static bool IsDeliveryFailing(string stage)
        {
            return stage == AckStage.Failed;
        }
    }
}

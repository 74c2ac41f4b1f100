namespace Gate.Contracts
{
    /// <summary>
    /// The life of one alarm after it left the device, in the AckStage words the server sends on the ack topic:
    /// received (stored durably) -> forwarded (a police receiver answered) -> police_ack -> operator_ack, with
    /// failed (not delivered so far; the server keeps trying) beside forwarded. The one rule set for everyone who
    /// follows an alarm's stage (the server's store, its read models, the device's light), so they cannot disagree
    /// about which ack is news. docs/protocol.md, "AlarmAck".
    /// </summary>
    public static class AlarmStage
    {
        // The lifecycle as a table: each stage and the stages it may move to. Forward only, so nothing leads back to
        // received and nothing leaves operator_ack. failed and forwarded lead to each other because the latest delivery
        // news wins: a receiver that took the alarm and then refused or went silent (forwarded -> failed), a receiver
        // that took it after all (failed -> forwarded). Neither leads anywhere once the police have acknowledged.
        private static readonly string[] FromNothing = { AckStage.Received, AckStage.Forwarded, AckStage.Failed, AckStage.PoliceAck, AckStage.OperatorAck };
        private static readonly string[] FromReceived = { AckStage.Forwarded, AckStage.Failed, AckStage.PoliceAck, AckStage.OperatorAck };
        private static readonly string[] FromForwarded = { AckStage.Failed, AckStage.PoliceAck, AckStage.OperatorAck };
        private static readonly string[] FromFailed = { AckStage.Forwarded, AckStage.PoliceAck, AckStage.OperatorAck };
        private static readonly string[] FromPoliceAck = { AckStage.OperatorAck };
        private static readonly string[] FromOperatorAck = { };

        /// <summary>
        /// The stages an alarm at <paramref name="from"/> may move to. Null, "" (before the first ack) and words this
        /// version does not know count as no stage yet: every known stage is news then.
        /// </summary>
        public static string[] NextOf(string from)
        {
            if (from == AckStage.Received) { return FromReceived; }
            if (from == AckStage.Forwarded) { return FromForwarded; }
            if (from == AckStage.Failed) { return FromFailed; }
            if (from == AckStage.PoliceAck) { return FromPoliceAck; }
            if (from == AckStage.OperatorAck) { return FromOperatorAck; }
            return FromNothing;
        }

        /// <summary>True when an alarm at stage <paramref name="from"/> moves to <paramref name="to"/> (see the table above).</summary>
        public static bool CanMoveTo(string from, string to)
        {
            return Words.Contains(NextOf(from), to);
        }

        /// <summary>The same rule under the name the device's feedback uses (CanMoveTo).</summary>
        public static bool Advances(string from, string to)
        {
            return CanMoveTo(from, to);
        }

        /// <summary>
        /// Every known stage from which an alarm may move to <paramref name="to"/>, in AckStage.All order: what a
        /// store's "UPDATE ... WHERE stage IN (...)" needs to move many alarms by the same rule.
        /// </summary>
        public static string[] StagesMovingTo(string to)
        {
            int count = 0;
            for (int i = 0; i < AckStage.All.Length; i++)
            {
                if (CanMoveTo(AckStage.All[i], to)) { count++; }
            }

            string[] stages = new string[count];
            int n = 0;
            for (int i = 0; i < AckStage.All.Length; i++)
            {
                if (CanMoveTo(AckStage.All[i], to)) { stages[n++] = AckStage.All[i]; }
            }

            return stages;
        }

        /// <summary>
        /// Order of progress for sorting and display: received 1, forwarded and failed 2, police_ack 3, operator_ack 4;
        /// anything else 0. Not the move rule (forwarded and failed share a rank and still replace each other): use
        /// CanMoveTo for that.
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

        /// <summary>The server holds the alarm durably: the device may drop it from its outbox.</summary>
        public static bool IsStored(string stage)
        {
            return AckStage.IsKnown(stage);
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

        /// <summary>Nothing moves it any more: a duty officer has acknowledged it.</summary>
        public static bool IsFinal(string stage)
        {
            return NextOf(stage).Length == 0;
        }

        /// <summary>
        /// Past the first ack: the server has news beyond "received" (a forward, a failure, an acknowledgement) that a
        /// device re-sending the alarm should hear again.
        /// </summary>
        public static bool IsPastReceived(string stage)
        {
            return IsStored(stage) && stage != AckStage.Received;
        }
    }
}

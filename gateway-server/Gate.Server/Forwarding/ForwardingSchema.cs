using Gate.Server.Storage;

namespace Gate.Server.Forwarding;

/// <summary>The forwarding outbox and delivery trail. Versions 100-199.</summary>
public static class ForwardingSchema
{
    public static readonly Migration[] Migrations =
    [
        // No foreign keys to alarms/schools on purpose: the trail must stay readable (and the outbox deliverable)
        // whatever happens to the rows it came from; the alarm id is the join key and the receiver's de-dup key.
        new(100, "forwarding outbox and delivery trail", """
            CREATE TABLE forward_queue (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                alarm_id TEXT NOT NULL UNIQUE,
                school_id TEXT NOT NULL,
                device_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                zone INTEGER NOT NULL,
                restore INTEGER NOT NULL,
                is_test INTEGER NOT NULL,
                raised_at TEXT NOT NULL,
                detail TEXT NULL,
                enqueued_at TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'pending',
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_ms INTEGER NULL,
                last_error TEXT NULL,
                trouble_at TEXT NULL,
                delivered_at TEXT NULL,
                receiver TEXT NULL,
                path TEXT NULL,
                latency_ms REAL NULL
            );
            CREATE INDEX ix_forward_queue_pending ON forward_queue(state, school_id, seq);

            CREATE TABLE delivery_attempts (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                alarm_id TEXT NOT NULL,
                at TEXT NOT NULL,
                receiver TEXT NOT NULL,
                path TEXT NOT NULL,
                outcome TEXT NOT NULL,
                response TEXT NULL,
                latency_ms REAL NOT NULL
            );
            CREATE INDEX ix_delivery_attempts_alarm ON delivery_attempts(alarm_id, id);
            """),

        // One DC-09 sequence counter per account (or path), shared by all connections; an alarm keeps its number.
        new(101, "DC-09 sequence counters", """
            CREATE TABLE dc09_sequences (
                counter TEXT PRIMARY KEY,
                reserved_to INTEGER NOT NULL
            );
            ALTER TABLE forward_queue ADD COLUMN dc09_sequence INTEGER NULL;
            """),
    ];
}

namespace Gate.Server.Storage;

/// <summary>Schools, devices, liveness, alarms, events, commands. Versions 1-99.</summary>
public static class CoreSchema
{
    public static readonly Migration[] Migrations =
    [
        new(1, "core registry, liveness, alarms, events, commands, people", """
            CREATE TABLE schools (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                district TEXT NOT NULL DEFAULT '',
                address TEXT NOT NULL DEFAULT '',
                latitude REAL NULL,
                longitude REAL NULL,
                police_account TEXT NULL,
                created_at TEXT NOT NULL
            );

            CREATE TABLE devices (
                id TEXT PRIMARY KEY,
                school_id TEXT NOT NULL REFERENCES schools(id),
                role TEXT NOT NULL DEFAULT 'gate',
                firmware TEXT NULL,
                credential_hash TEXT NULL,
                credential_revoked_at TEXT NULL,
                heartbeat_interval_s INTEGER NOT NULL DEFAULT 30,
                created_at TEXT NOT NULL
            );
            CREATE INDEX ix_devices_school ON devices(school_id);

            -- Written in batches from the in-memory tracker; read once at start-up to rebuild liveness honestly.
            CREATE TABLE device_liveness (
                device_id TEXT PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
                state TEXT NOT NULL,
                reason TEXT NULL,
                since TEXT NULL,
                last_seen TEXT NULL,
                interval_s INTEGER NULL,
                firmware TEXT NULL,
                boot INTEGER NULL,
                rssi INTEGER NULL,
                mains INTEGER NULL,
                batt_mv INTEGER NULL,
                outbox INTEGER NULL,
                drill INTEGER NULL,
                bollard TEXT NULL,
                barrier TEXT NULL,
                updated_at TEXT NOT NULL
            );

            CREATE TABLE alarms (
                id TEXT PRIMARY KEY,
                device_id TEXT NOT NULL REFERENCES devices(id),
                school_id TEXT NOT NULL REFERENCES schools(id),
                kind TEXT NOT NULL,
                zone INTEGER NOT NULL,
                boot INTEGER NOT NULL,
                seq INTEGER NOT NULL,
                restore INTEGER NOT NULL,
                is_test INTEGER NOT NULL,
                count INTEGER NOT NULL,
                detail TEXT NULL,
                device_ts TEXT NULL,
                raised_at TEXT NOT NULL,
                received_at TEXT NOT NULL,
                stage TEXT NOT NULL,
                status TEXT NOT NULL,
                last_repeat_at TEXT NULL,
                forwarded_at TEXT NULL,
                police_ack_at TEXT NULL,
                operator_ack_at TEXT NULL,
                operator_ack_by TEXT NULL,
                resolved_at TEXT NULL,
                resolved_by TEXT NULL
            );
            CREATE INDEX ix_alarms_open ON alarms(status, is_test, received_at);
            CREATE INDEX ix_alarms_device_kind ON alarms(device_id, kind, status);

            -- Repeats folded into an open alarm keep their own ids, so a device re-sending one is recognised.
            CREATE TABLE alarm_aliases (
                id TEXT PRIMARY KEY,
                alarm_id TEXT NOT NULL REFERENCES alarms(id),
                received_at TEXT NOT NULL
            );

            CREATE TABLE alarm_steps (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                alarm_id TEXT NOT NULL REFERENCES alarms(id),
                at TEXT NOT NULL,
                step TEXT NOT NULL,
                actor TEXT NOT NULL,
                detail TEXT NULL
            );
            CREATE INDEX ix_alarm_steps_alarm ON alarm_steps(alarm_id, id);

            CREATE TABLE events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL,
                type TEXT NOT NULL,
                device_id TEXT NULL,
                school_id TEXT NULL,
                alarm_id TEXT NULL,
                actor TEXT NULL,
                detail TEXT NULL
            );
            CREATE INDEX ix_events_device ON events(device_id, id);

            CREATE TABLE commands (
                id TEXT PRIMARY KEY,
                device_id TEXT NOT NULL REFERENCES devices(id),
                name TEXT NOT NULL,
                ttl_s INTEGER NOT NULL,
                issued_at TEXT NOT NULL,
                issued_by TEXT NOT NULL,
                status TEXT NOT NULL,
                completed_at TEXT NULL,
                detail TEXT NULL
            );
            CREATE INDEX ix_commands_device ON commands(device_id, issued_at);
            CREATE INDEX ix_commands_status ON commands(status);

            CREATE TABLE users (
                name TEXT PRIMARY KEY,
                password_hash TEXT NOT NULL,
                roles TEXT NOT NULL,
                created_at TEXT NOT NULL,
                disabled_at TEXT NULL
            );

            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                key_hash TEXT NOT NULL UNIQUE,
                roles TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                revoked_at TEXT NULL
            );
            """),

        // A device whose boot counter restarts (flash mass-erased, board swapped) reuses alarm ids; a resend is told
        // apart from a new alarm by its content, which needs the device uptime. Older rows keep NULL and compare without it.
        new(2, "device uptime on alarms and folded repeats, to tell a resend from a reused alarm id", """
            ALTER TABLE alarms ADD COLUMN device_uptime_ms INTEGER NULL;
            ALTER TABLE alarm_aliases ADD COLUMN zone INTEGER NULL;
            ALTER TABLE alarm_aliases ADD COLUMN device_uptime_ms INTEGER NULL;
            ALTER TABLE alarm_aliases ADD COLUMN device_ts TEXT NULL;
            """),
    ];
}

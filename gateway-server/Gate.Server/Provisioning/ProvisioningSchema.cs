using Gate.Server.Storage;

namespace Gate.Server.Provisioning;

/// <summary>Device placements (board, place, replacement chain) and commissioning records. Versions 200-299.</summary>
public static class ProvisioningSchema
{
    public static readonly Migration[] Migrations =
    [
        new(200, "provisioning placements and commissioning records", """
            -- One row per registered device: which board it is, where it stands, and whether it is still in service.
            -- A replacement is a new row pointing at the old one, so history is never rewritten.
            CREATE TABLE device_placements (
                device_id TEXT PRIMARY KEY REFERENCES devices(id),
                board TEXT NOT NULL,
                place TEXT NOT NULL DEFAULT '',
                status TEXT NOT NULL,
                replaces TEXT NULL REFERENCES devices(id),
                replaced_by TEXT NULL REFERENCES devices(id),
                status_reason TEXT NULL,
                status_changed_at TEXT NULL,
                status_changed_by TEXT NULL,
                credential_issued_at TEXT NULL,
                credential_issued_by TEXT NULL,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL
            );
            CREATE INDEX ix_device_placements_status ON device_placements(status);

            -- A bench acceptance test run: who ran it, when, the result, and the drill alarm it used.
            CREATE TABLE commissioning_runs (
                id TEXT PRIMARY KEY,
                device_id TEXT NOT NULL REFERENCES devices(id),
                technician TEXT NOT NULL,
                started_by TEXT NOT NULL,
                started_at TEXT NOT NULL,
                finished_at TEXT NULL,
                result TEXT NOT NULL,
                failed_step TEXT NULL,
                detail TEXT NULL,
                alarm_id TEXT NULL
            );
            CREATE INDEX ix_commissioning_runs_device ON commissioning_runs(device_id, started_at);

            CREATE TABLE commissioning_steps (
                run_id TEXT NOT NULL REFERENCES commissioning_runs(id),
                ordinal INTEGER NOT NULL,
                step TEXT NOT NULL,
                result TEXT NOT NULL,
                started_at TEXT NULL,
                finished_at TEXT NULL,
                duration_ms INTEGER NULL,
                detail TEXT NULL,
                PRIMARY KEY (run_id, ordinal)
            );
            """),
    ];
}

-- Why: interventions logged on the phone, possibly offline, each under a UUID the phone made;
-- every sync operation is remembered by its own id so a replay is answered, never re-applied.

CREATE TABLE interventions (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    team_id INTEGER REFERENCES teams (id) ON DELETE SET NULL,
    alert_id INTEGER REFERENCES alerts (id) ON DELETE SET NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    travel_minutes INTEGER NOT NULL DEFAULT 0,
    place TEXT NOT NULL DEFAULT '',
    latitude REAL,
    longitude REAL,
    mode TEXT NOT NULL CHECK (mode IN ('remote', 'on_site')),
    found TEXT NOT NULL DEFAULT '',
    done TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL CHECK (outcome IN ('resolved', 'temporary', 'escalated', 'follow_up')),
    client_version INTEGER NOT NULL DEFAULT 1,
    client_changed_at TEXT NOT NULL,
    server_changed_at TEXT NOT NULL,
    corrected_by INTEGER REFERENCES users (id),
    deleted_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (ended_at > started_at)
);
CREATE INDEX interventions_user_start ON interventions (user_id, started_at);
CREATE INDEX interventions_team_start ON interventions (team_id, started_at);
CREATE INDEX interventions_alert ON interventions (alert_id);

-- Operation ids are the phone's: remembered per person, so one person's id never answers
-- for another's operation.
CREATE TABLE sync_operations (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    op_id TEXT NOT NULL,
    uuid TEXT NOT NULL,
    result TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (user_id, op_id)
);

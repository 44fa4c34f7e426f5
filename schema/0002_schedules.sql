-- Why: schedules people accept: rotations generate shifts, managers publish them with
-- notice (the publication time is the proof), people accept or decline, overrides replace
-- someone for a stretch; in-app notifications carry publication notices and reminders.

CREATE TABLE rotations (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    layer TEXT NOT NULL CHECK (layer IN ('primary', 'secondary')),
    spec TEXT NOT NULL,
    horizon_weeks INTEGER NOT NULL DEFAULT 12,
    active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX rotations_team ON rotations (team_id);

CREATE TABLE shifts (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    rotation_id INTEGER REFERENCES rotations (id) ON DELETE SET NULL,
    kind TEXT NOT NULL DEFAULT 'regular' CHECK (kind IN ('regular', 'override')),
    layer TEXT NOT NULL CHECK (layer IN ('primary', 'secondary')),
    user_id INTEGER NOT NULL REFERENCES users (id),
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'published', 'accepted', 'declined')),
    published_at TEXT,
    exceptional_reason TEXT,
    answered_at TEXT,
    decline_reason TEXT,
    edited INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX shifts_team_start ON shifts (team_id, starts_at);
CREATE INDEX shifts_user_start ON shifts (user_id, starts_at);
CREATE INDEX shifts_rotation_start ON shifts (rotation_id, starts_at);

CREATE TABLE shift_reminders (
    shift_id INTEGER NOT NULL REFERENCES shifts (id) ON DELETE CASCADE,
    offset_minutes INTEGER NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (shift_id, offset_minutes)
);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    url TEXT NOT NULL DEFAULT '/',
    urgency TEXT NOT NULL DEFAULT 'normal' CHECK (urgency IN ('low', 'normal', 'high')),
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, created_at);

CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team_id INTEGER REFERENCES teams (id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX calendar_feeds_user ON calendar_feeds (user_id);

ALTER TABLE users ADD COLUMN reminder_minutes TEXT NOT NULL DEFAULT '1440,60';

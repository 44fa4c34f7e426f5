-- Why: the monthly on-call statement (R3121-2, issue 13, ../shared/PAY.md). A team's
-- compensation policy in whole cents, minutes and percent (no row: nothing set, which the
-- manager is warned about), each person's hourly wage, the closed statements (one row per
-- version, never changed nor deleted: the inspectorate may ask for them), the month closings
-- (UNIQUE, so two managers closing at once make one closing) and acknowledgements of receipt.

CREATE TABLE team_compensation (
    team_id INTEGER PRIMARY KEY REFERENCES teams (id),
    holidays TEXT NOT NULL DEFAULT 'FR' CHECK (holidays IN (
        'FR', 'FR-alsace-moselle', 'FR-guadeloupe', 'FR-martinique', 'FR-guyane',
        'FR-reunion', 'FR-mayotte'
    )),
    night_start TEXT NOT NULL DEFAULT '21:00',
    night_end TEXT NOT NULL DEFAULT '06:00',
    oncall_weekday_cents_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (oncall_weekday_cents_per_hour >= 0),
    oncall_saturday_cents_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (oncall_saturday_cents_per_hour >= 0),
    oncall_sunday_cents_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (oncall_sunday_cents_per_hour >= 0),
    oncall_holiday_cents_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (oncall_holiday_cents_per_hour >= 0),
    oncall_night_cents_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (oncall_night_cents_per_hour >= 0),
    rest_weekday_minutes_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (rest_weekday_minutes_per_hour >= 0),
    rest_saturday_minutes_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (rest_saturday_minutes_per_hour >= 0),
    rest_sunday_minutes_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (rest_sunday_minutes_per_hour >= 0),
    rest_holiday_minutes_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (rest_holiday_minutes_per_hour >= 0),
    premium_weekday_percent INTEGER NOT NULL DEFAULT 0 CHECK (premium_weekday_percent >= 0),
    premium_saturday_percent INTEGER NOT NULL DEFAULT 0 CHECK (premium_saturday_percent >= 0),
    premium_sunday_percent INTEGER NOT NULL DEFAULT 0 CHECK (premium_sunday_percent >= 0),
    premium_holiday_percent INTEGER NOT NULL DEFAULT 0 CHECK (premium_holiday_percent >= 0),
    premium_night_percent INTEGER NOT NULL DEFAULT 0 CHECK (premium_night_percent >= 0),
    -- Days after the month's end before the engine closes it (late syncs).
    grace_days INTEGER NOT NULL DEFAULT 3 CHECK (grace_days BETWEEN 0 AND 31),
    updated_at TEXT NOT NULL
);

CREATE TABLE hourly_wages (
    user_id INTEGER PRIMARY KEY REFERENCES users (id),
    cents INTEGER NOT NULL CHECK (cents >= 0),
    updated_at TEXT NOT NULL
);

CREATE TABLE statement_closings (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id),
    month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
    -- The month's instants in UTC as the team's zone saw them at closing, for the re-check.
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    closed_at TEXT NOT NULL,
    -- NULL: closed by the engine once the grace period was over.
    closed_by INTEGER REFERENCES users (id),
    -- Changes to shifts and interventions from this instant on are looked at by the re-check.
    checked_at TEXT NOT NULL,
    UNIQUE (team_id, month)
);

CREATE TABLE statements (
    id INTEGER PRIMARY KEY,
    closing_id INTEGER NOT NULL REFERENCES statement_closings (id),
    team_id INTEGER NOT NULL REFERENCES teams (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    month TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    -- The document as JSON (keys sorted); sha256 is of exactly these bytes (UTF-8).
    content TEXT NOT NULL,
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    -- For a rectifying version: what changed from the previous one (JSON), also in content.
    difference TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (team_id, user_id, month, version),
    CHECK (version = 1 OR difference IS NOT NULL)
);

CREATE INDEX statements_user ON statements (user_id, month);

CREATE INDEX statements_team_month ON statements (team_id, month, user_id, version);

CREATE TRIGGER statements_never_change BEFORE UPDATE ON statements
BEGIN
    SELECT RAISE(ABORT, 'a statement never changes: write a rectifying version');
END;

CREATE TRIGGER statements_never_deleted BEFORE DELETE ON statements
BEGIN
    SELECT RAISE(ABORT, 'statements are kept: they cannot be deleted');
END;

CREATE TABLE statement_acknowledgements (
    statement_id INTEGER PRIMARY KEY REFERENCES statements (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    acknowledged_at TEXT NOT NULL
);

CREATE TRIGGER statement_acknowledgements_kept BEFORE DELETE ON statement_acknowledgements
BEGIN
    SELECT RAISE(ABORT, 'an acknowledgement of receipt is kept');
END;

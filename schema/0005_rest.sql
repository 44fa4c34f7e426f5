-- Why: the rest engine needs each person's timeline from the app: their regular working hours
-- (a weekly template with exceptions), the rest they declare, and how tired they say they are.

-- A weekly template of working-time ranges, in the person's rest time zone (their first team's).
CREATE TABLE work_pattern_ranges (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    CHECK (end_minute > start_minute)
);
CREATE INDEX work_pattern_ranges_user ON work_pattern_ranges (user_id, weekday, start_minute);

-- Days the template does not apply: leave, sick days, other days off (public holidays come
-- from the `holidays` package and need no row).
CREATE TABLE absences (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('leave', 'sick', 'other')),
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    CHECK (last_day >= first_day)
);
CREATE INDEX absences_user ON absences (user_id, first_day);

-- "I slept / rested from … to …": no regular work happened in that stretch.
CREATE TABLE declared_rests (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (ended_at > started_at)
);
CREATE INDEX declared_rests_user ON declared_rests (user_id, started_at);

-- Karolinska Sleepiness Scale self-reports, 1 (extremely alert) to 9 (fighting sleep).
CREATE TABLE fatigue_reports (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 9),
    reported_at TEXT NOT NULL,
    context TEXT NOT NULL CHECK (context IN ('today', 'shift_start', 'night_intervention')),
    created_at TEXT NOT NULL
);
CREATE INDEX fatigue_reports_user ON fatigue_reports (user_id, reported_at);

-- The fatigue questions pushed to a person (at a shift's start, after a night intervention):
-- one row per occasion, so the engine asks once whatever happens to its loop.
CREATE TABLE fatigue_prompts (
    occasion TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sent_at TEXT NOT NULL
);

-- The engine looks for interventions that ended at night, lately, to ask how tired people are.
CREATE INDEX interventions_ended ON interventions (ended_at);

-- Why: training (technical, communication, stress management) had no record. A session of a
-- team, on a date, with its trainer (a person or a name), its attendees (people of any team,
-- named by the managers of their teams) and the qualification it grants or renews, if any;
-- its effect is read from the figures of its attendees before and after (server/training).

CREATE TABLE training_sessions (
    id INTEGER PRIMARY KEY,
    -- The team that holds the session: its managers write it.
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    topic TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('technical', 'communication', 'stress', 'other')),
    -- The day it was held (YYYY-MM-DD, the team's calendar).
    held_on TEXT NOT NULL,
    -- A person of the company, or a name typed (an outside trainer); one of the two or none.
    trainer_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    trainer_name TEXT NOT NULL DEFAULT '',
    -- Granted (or renewed) to every attendee on held_on, for its validity.
    qualification_id INTEGER REFERENCES qualifications (id) ON DELETE SET NULL,
    notes TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX training_sessions_by_team ON training_sessions (team_id, held_on);

CREATE TABLE training_attendees (
    session_id INTEGER NOT NULL REFERENCES training_sessions (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX training_attendees_by_person ON training_attendees (user_id);

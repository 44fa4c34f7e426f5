-- Why: the monthly service review (issue 14) keeps the actions a team decided: what, who
-- (a member of the team, or nobody), by when, done or not. An action belongs to the month
-- whose review decided it and is carried over to every later review until it is done; it
-- shows last in the month it was done (done_at, read in the team's zone).

CREATE TABLE review_actions (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
    what TEXT NOT NULL CHECK (length(trim(what)) BETWEEN 1 AND 300),
    assignee_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    due_on TEXT NOT NULL CHECK (due_on GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    done_at TEXT,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A review reads the team's actions decided up to its month and not done before it.
CREATE INDEX review_actions_team_month ON review_actions (team_id, month);

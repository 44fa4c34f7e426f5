-- Why: a team's procedures (collect information, diagnose, resolve), written in Markdown,
-- versioned (every change keeps the previous text), tagged with the alerts they serve, owned
-- and reviewed on a date, and read again by the team after each change.

CREATE TABLE procedures (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    -- The current version's number; its text is in procedure_versions.
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    owner_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    -- Date (YYYY-MM-DD) by which the owner reviews it; passed, it is stale.
    review_on TEXT NOT NULL,
    archived_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX procedures_by_team ON procedures (team_id) WHERE archived_at IS NULL;
CREATE INDEX procedures_by_review ON procedures (review_on) WHERE archived_at IS NULL;

CREATE TABLE procedure_versions (
    procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- Why it changed, in a line, shown with the difference.
    note TEXT NOT NULL DEFAULT '',
    author_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (procedure_id, version)
);

-- What a procedure serves: an alert source, a label ("key=value"), a client or a site.
CREATE TABLE procedure_tags (
    id INTEGER PRIMARY KEY,
    procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('source', 'label', 'client', 'site')),
    value TEXT NOT NULL,
    UNIQUE (procedure_id, kind, value)
);
CREATE INDEX procedure_tags_by_value ON procedure_tags (kind, value);

-- "I have read version N", per person.
CREATE TABLE procedure_reads (
    procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    read_at TEXT NOT NULL,
    PRIMARY KEY (procedure_id, user_id, version)
);

-- A stale procedure's reminder to its owner, once per review date.
CREATE TABLE procedure_review_reminders (
    procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    review_on TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (procedure_id, review_on)
);

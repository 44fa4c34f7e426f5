-- Why: team skills had no dates. Qualifications are one catalogue for the company, each with
-- its validity; a person holds one from a date until an expiry, with an optional document;
-- rotations and shifts require them. Every skill becomes the qualification of its name (the
-- same name in two teams is one qualification) and every assignment is kept. The skills
-- tables stay until the code reads the new ones (a later migration drops them).

CREATE TABLE qualifications (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    -- How long a qualification lasts once obtained; NULL: it does not expire.
    validity_months INTEGER CHECK (validity_months BETWEEN 1 AND 240),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE person_qualifications (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    qualification_id INTEGER NOT NULL REFERENCES qualifications (id) ON DELETE CASCADE,
    -- Dates (YYYY-MM-DD), in the company's calendar; NULL where a migrated skill had none.
    obtained_on TEXT,
    expires_on TEXT,
    -- The certificate (PDF or photo) in the data folder, shown to the person and their
    -- managers only.
    document_path TEXT,
    document_name TEXT,
    document_type TEXT,
    document_size INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (user_id, qualification_id),
    CHECK (expires_on IS NULL OR obtained_on IS NULL OR expires_on >= obtained_on)
);
CREATE INDEX person_qualifications_by_expiry ON person_qualifications (expires_on)
    WHERE expires_on IS NOT NULL;
CREATE INDEX person_qualifications_by_qualification ON person_qualifications (qualification_id);

CREATE TABLE rotation_qualifications (
    qualification_id INTEGER NOT NULL REFERENCES qualifications (id) ON DELETE CASCADE,
    rotation_id INTEGER NOT NULL REFERENCES rotations (id) ON DELETE CASCADE,
    PRIMARY KEY (qualification_id, rotation_id)
);

CREATE TABLE shift_qualifications (
    qualification_id INTEGER NOT NULL REFERENCES qualifications (id) ON DELETE CASCADE,
    shift_id INTEGER NOT NULL REFERENCES shifts (id) ON DELETE CASCADE,
    PRIMARY KEY (qualification_id, shift_id)
);
CREATE INDEX shift_qualifications_by_shift ON shift_qualifications (shift_id);

-- Expiry reminders sent (60, 30 and 7 days before), so each goes out once per expiry date.
CREATE TABLE qualification_reminders (
    person_qualification_id INTEGER NOT NULL
        REFERENCES person_qualifications (id) ON DELETE CASCADE,
    expires_on TEXT NOT NULL,
    days_before INTEGER NOT NULL CHECK (days_before > 0),
    sent_at TEXT NOT NULL,
    PRIMARY KEY (person_qualification_id, expires_on, days_before)
);

INSERT INTO qualifications (name, created_at, updated_at)
SELECT name, MIN(created_at), MIN(created_at) FROM skills GROUP BY name COLLATE NOCASE;

INSERT OR IGNORE INTO person_qualifications (user_id, qualification_id, created_at, updated_at)
SELECT ps.user_id, q.id, s.created_at, s.created_at
FROM person_skills ps
JOIN skills s ON s.id = ps.skill_id
JOIN qualifications q ON q.name = s.name;

INSERT OR IGNORE INTO rotation_qualifications (qualification_id, rotation_id)
SELECT q.id, rs.rotation_id
FROM rotation_skills rs
JOIN skills s ON s.id = rs.skill_id
JOIN qualifications q ON q.name = s.name;

INSERT OR IGNORE INTO shift_qualifications (qualification_id, shift_id)
SELECT q.id, ss.shift_id
FROM shift_skills ss
JOIN skills s ON s.id = ss.skill_id
JOIN qualifications q ON q.name = s.name;

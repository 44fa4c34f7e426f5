-- Why: team skills had no dates. Qualifications are one catalogue for the company, each with
-- its validity; a person holds one from a date until an expiry, with an optional document;
-- rotations and shifts require them. The skills and their assignments are copied into these
-- tables, then dropped, by 0032 (in the same release), so every assignment is kept.

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

-- Why: the quality review of interventions (issue 15) keeps a queue of those a team's
-- managers should check (a random but stable sample, and every one that went wrong), the
-- team's checklist, and each review with the technician's answer and the follow-up it asks.

-- A team's settings of the review. `salt` is a secret mixed with an intervention's uuid to draw
-- the sample: the same record is always drawn or not, and nobody can tell which in advance.
-- `checklist` is JSON [{"key": "procedure" | null, "label": "..."}]; NULL: the default items.
CREATE TABLE quality_settings (
    team_id INTEGER PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    salt TEXT NOT NULL,
    checklist TEXT,
    updated_at TEXT NOT NULL
);

-- Interventions to (re)consider for the queue, noted by triggers in the transaction that
-- changes them (a phone's sync, a correction, a client's answer) and drained by the engine:
-- nothing is missed, whichever code path wrote the record.
CREATE TABLE quality_pending (
    intervention_id INTEGER PRIMARY KEY REFERENCES interventions (id) ON DELETE CASCADE
);
CREATE TRIGGER quality_pending_new AFTER INSERT ON interventions BEGIN
    INSERT OR IGNORE INTO quality_pending (intervention_id) VALUES (NEW.id);
END;
CREATE TRIGGER quality_pending_changed AFTER UPDATE ON interventions BEGIN
    INSERT OR IGNORE INTO quality_pending (intervention_id) VALUES (NEW.id);
END;
CREATE TRIGGER quality_pending_answer AFTER UPDATE OF score, intervention_id ON surveys
WHEN NEW.score IS NOT NULL AND NEW.intervention_id IS NOT NULL BEGIN
    INSERT OR IGNORE INTO quality_pending (intervention_id) VALUES (NEW.intervention_id);
END;
CREATE TRIGGER quality_pending_answered AFTER INSERT ON surveys
WHEN NEW.score IS NOT NULL AND NEW.intervention_id IS NOT NULL BEGIN
    INSERT OR IGNORE INTO quality_pending (intervention_id) VALUES (NEW.intervention_id);
END;

-- The queue: one row per intervention a manager should review, with why (JSON list of
-- reasons and their details). A reviewed one stays, whatever happens to it afterwards.
CREATE TABLE quality_queue (
    intervention_id INTEGER PRIMARY KEY REFERENCES interventions (id) ON DELETE CASCADE,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    reasons TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    queued_at TEXT NOT NULL
);
CREATE INDEX quality_queue_by_team ON quality_queue (team_id, ended_at);

-- A review: the checklist as it was (labels kept, so editing the checklist changes no past
-- review), each item passed / failed / not applicable, the score, the manager's comment, the
-- technician's answer and the follow-up asked for. `ended_at` is the intervention's end: the
-- figures count a review in the month of the work reviewed.
CREATE TABLE quality_reviews (
    id INTEGER PRIMARY KEY,
    intervention_id INTEGER NOT NULL UNIQUE REFERENCES interventions (id) ON DELETE CASCADE,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    reviewer_id INTEGER REFERENCES users (id),
    items TEXT NOT NULL,
    passed INTEGER NOT NULL CHECK (passed >= 0),
    failed INTEGER NOT NULL CHECK (failed >= 0),
    -- Passed among applicable items, in % (rounded); NULL when no item applied.
    score INTEGER CHECK (score BETWEEN 0 AND 100),
    comment TEXT NOT NULL DEFAULT '',
    follow_up INTEGER NOT NULL DEFAULT 0 CHECK (follow_up IN (0, 1)),
    follow_up_note TEXT NOT NULL DEFAULT '',
    follow_up_done_at TEXT,
    follow_up_done_by INTEGER REFERENCES users (id),
    answer TEXT NOT NULL DEFAULT '',
    answered_at TEXT,
    ended_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX quality_reviews_by_team ON quality_reviews (team_id, ended_at);
CREATE INDEX quality_reviews_by_person ON quality_reviews (user_id, ended_at);
CREATE INDEX quality_reviews_follow_ups ON quality_reviews (team_id)
    WHERE follow_up = 1 AND follow_up_done_at IS NULL;

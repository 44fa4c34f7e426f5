-- Why: satisfaction surveys are sent to clients by SMS or e-mail. Each message (the first ask
-- and its one reminder) is kept with its attempts, so a transient failure is tried again and
-- a message that went out is never sent a second time (server/surveys/sending.py).

-- pending: due at next_attempt_at; sending: claimed by an attempt under way (an attempt
-- interrupted there is never retried: it may have gone out); sent, failed, cancelled: final.
-- No address is kept here: the client's number or e-mail is read when sending, so erasing a
-- client's personal data leaves nothing behind in these rows.
CREATE TABLE survey_messages (
    id INTEGER PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('first', 'reminder')),
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_at TEXT,
    sent_at TEXT,
    last_status INTEGER,
    last_error TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (survey_id, kind)
);
CREATE INDEX survey_messages_due ON survey_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX survey_messages_claimed ON survey_messages (claimed_at) WHERE status = 'sending';

-- The engine looks for interventions with a client and no survey among the recent changes
-- only (server/surveys/scheduling.py), not through every intervention ever logged.
CREATE INDEX interventions_client_changes ON interventions (updated_at)
    WHERE client_id IS NOT NULL;

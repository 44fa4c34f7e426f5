-- Why: the survey as a QR code the technician shows on their phone, offline if need be: online
-- the phone takes a small pool of pre-issued tokens (random, stored hashed here), each with its
-- QR code drawn by the server. Offline the phone binds a token to the intervention it shows it
-- for and sends that binding with the intervention; the client's answer may come before or
-- after, and is joined to the intervention's survey once both are known. A token answers once.
CREATE TABLE survey_qr_tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    -- The technician whose phone holds it: only their interventions may be bound to it.
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    issued_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    -- The intervention it was shown for, as the phone's sync said (once; never changed).
    intervention_uuid TEXT UNIQUE,
    bound_at TEXT,
    -- The client's answer: the surveys row it went to (joined to the intervention once bound).
    used_at TEXT,
    survey_id INTEGER REFERENCES surveys (id) ON DELETE SET NULL
);
-- A phone's pool: its person's tokens neither bound nor answered yet.
CREATE INDEX survey_qr_tokens_pool ON survey_qr_tokens (user_id, expires_at)
    WHERE used_at IS NULL AND intervention_uuid IS NULL;

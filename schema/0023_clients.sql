-- Why: an intervention had a free-text place and no client. Clients and their sites, linked
-- to the calls, alerts and interventions that concern them, and the satisfaction survey
-- asked after each intervention.

-- A client belongs to the team that serves it: its members see it (access codes included),
-- its managers change it.
CREATE TABLE clients (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    kind TEXT NOT NULL DEFAULT 'company' CHECK (kind IN ('company', 'person')),
    name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    contact_name TEXT NOT NULL DEFAULT '',
    locale TEXT NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en')),
    timezone TEXT NOT NULL DEFAULT 'Europe/Paris',
    notes TEXT NOT NULL DEFAULT '',
    -- The client's own reference (a customer number): what a CSV import matches rows on.
    reference TEXT,
    -- "Do not ask me again": no satisfaction survey is ever sent.
    no_surveys INTEGER NOT NULL DEFAULT 0 CHECK (no_surveys IN (0, 1)),
    -- Personal data erased on request (GDPR): the row stays, anonymous, for the statistics.
    erased_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (team_id, reference)
);
CREATE INDEX clients_by_team_name ON clients (team_id, name COLLATE NOCASE);

CREATE TABLE client_sites (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    latitude REAL CHECK (latitude BETWEEN -90 AND 90),
    longitude REAL CHECK (longitude BETWEEN -180 AND 180),
    -- How to get in: shown to the team's members; never exported or notified.
    access_instructions TEXT NOT NULL DEFAULT '',
    -- Door codes and where keys are: as above, and on a phone only while its person is on call.
    access_codes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX client_sites_by_client ON client_sites (client_id);

-- A client's numbers in E.164; one may belong to a site (the caretaker's line), which a call
-- from it then names too.
CREATE TABLE client_phones (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    site_id INTEGER REFERENCES client_sites (id) ON DELETE SET NULL,
    number TEXT NOT NULL CHECK (number GLOB '+[1-9]*'),
    label TEXT NOT NULL DEFAULT '',
    UNIQUE (client_id, number)
);
CREATE INDEX client_phones_by_number ON client_phones (number);

ALTER TABLE alerts ADD COLUMN client_id INTEGER REFERENCES clients (id) ON DELETE SET NULL;
ALTER TABLE alerts ADD COLUMN site_id INTEGER REFERENCES client_sites (id) ON DELETE SET NULL;
CREATE INDEX alerts_by_client ON alerts (client_id, created_at) WHERE client_id IS NOT NULL;

ALTER TABLE interventions ADD COLUMN client_id INTEGER REFERENCES clients (id) ON DELETE SET NULL;
ALTER TABLE interventions ADD COLUMN site_id INTEGER
    REFERENCES client_sites (id) ON DELETE SET NULL;
CREATE INDEX interventions_by_client ON interventions (client_id, started_at)
    WHERE client_id IS NOT NULL;

-- One satisfaction survey per intervention. It is created when the intervention with a client
-- reaches the server (or when the client answers the technician's QR code first: then only
-- intervention_uuid is known until the phone syncs). The answer lives here.
CREATE TABLE surveys (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    -- The technician: the answer is theirs to read, and a 5 with a comment is passed on.
    user_id INTEGER NOT NULL REFERENCES users (id),
    client_id INTEGER REFERENCES clients (id) ON DELETE SET NULL,
    intervention_id INTEGER UNIQUE REFERENCES interventions (id) ON DELETE SET NULL,
    intervention_uuid TEXT UNIQUE,
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email', 'qr')),
    status TEXT NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'sent', 'answered', 'expired', 'cancelled')),
    send_at TEXT,
    sent_at TEXT,
    reminder_at TEXT,
    reminded_at TEXT,
    expires_at TEXT,
    answered_at TEXT,
    score INTEGER CHECK (score BETWEEN 1 AND 5),
    solved INTEGER CHECK (solved IN (0, 1)),
    comment TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    CHECK ((answered_at IS NULL) = (score IS NULL))
);
CREATE INDEX surveys_due ON surveys (send_at) WHERE status = 'scheduled';
CREATE INDEX surveys_reminders ON surveys (reminder_at) WHERE status = 'sent';
CREATE INDEX surveys_answered ON surveys (team_id, answered_at) WHERE answered_at IS NOT NULL;
CREATE INDEX surveys_by_client ON surveys (client_id) WHERE client_id IS NOT NULL;

-- The links sent for a survey (the first message and its reminder each carry one), stored
-- hashed: each is random (128 bits or more), expires, and works until the survey is answered.
CREATE TABLE survey_links (
    token_hash TEXT PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX survey_links_by_survey ON survey_links (survey_id);

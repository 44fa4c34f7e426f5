CREATE TRIGGER deliveries_starts_delete AFTER DELETE ON deliveries
WHEN OLD.status = 'sent' AND OLD.channel IN ('push', 'webhook')
BEGIN
    UPDATE deliveries SET starts_interruption = NOT EXISTS (
        SELECT 1 FROM deliveries p INDEXED BY deliveries_person_order
        WHERE p.user_id = deliveries.user_id AND p.status = 'sent'
            AND p.channel IN ('push', 'webhook')
            AND p.sent_at >= strftime('%Y-%m-%dT%H:%M:%SZ', deliveries.sent_at, '-60 seconds')
            AND (p.sent_at, p.id) < (deliveries.sent_at, deliveries.id)
    )
    WHERE id IN (
        SELECT id FROM deliveries
        WHERE user_id = OLD.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
            AND sent_at = OLD.sent_at AND id > OLD.id
        UNION ALL
        SELECT id FROM deliveries
        WHERE user_id = OLD.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
            AND sent_at > OLD.sent_at
            AND sent_at <= strftime('%Y-%m-%dT%H:%M:%SZ', OLD.sent_at, '+60 seconds')
    );
END;

CREATE TRIGGER deliveries_starts_insert AFTER INSERT ON deliveries
WHEN NEW.status = 'sent' AND NEW.channel IN ('push', 'webhook')
BEGIN
    UPDATE deliveries SET starts_interruption = NOT EXISTS (
        SELECT 1 FROM deliveries p INDEXED BY deliveries_person_order
        WHERE p.user_id = deliveries.user_id AND p.status = 'sent'
            AND p.channel IN ('push', 'webhook')
            AND p.sent_at >= strftime('%Y-%m-%dT%H:%M:%SZ', deliveries.sent_at, '-60 seconds')
            AND (p.sent_at, p.id) < (deliveries.sent_at, deliveries.id)
    )
    WHERE id = NEW.id;
    UPDATE deliveries SET starts_interruption = 0 WHERE id IN (
        SELECT id FROM deliveries
        WHERE user_id = NEW.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
            AND sent_at = NEW.sent_at AND id > NEW.id
        UNION ALL
        SELECT id FROM deliveries
        WHERE user_id = NEW.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
            AND sent_at > NEW.sent_at
            AND sent_at <= strftime('%Y-%m-%dT%H:%M:%SZ', NEW.sent_at, '+60 seconds')
    );
END;

CREATE TRIGGER deliveries_starts_update
AFTER UPDATE OF status, channel, sent_at, user_id ON deliveries
WHEN (OLD.status = 'sent' AND OLD.channel IN ('push', 'webhook'))
    OR (NEW.status = 'sent' AND NEW.channel IN ('push', 'webhook'))
BEGIN
    -- Its old place first: those after it there may have lost the one they followed.
    UPDATE deliveries SET starts_interruption = NOT EXISTS (
        SELECT 1 FROM deliveries p INDEXED BY deliveries_person_order
        WHERE p.user_id = deliveries.user_id AND p.status = 'sent'
            AND p.channel IN ('push', 'webhook')
            AND p.sent_at >= strftime('%Y-%m-%dT%H:%M:%SZ', deliveries.sent_at, '-60 seconds')
            AND (p.sent_at, p.id) < (deliveries.sent_at, deliveries.id)
    )
    WHERE OLD.status = 'sent' AND OLD.channel IN ('push', 'webhook') AND id IN (
        SELECT id FROM deliveries
        WHERE user_id = OLD.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
            AND sent_at = OLD.sent_at AND id > OLD.id
        UNION ALL
        SELECT id FROM deliveries
        WHERE user_id = OLD.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
            AND sent_at > OLD.sent_at
            AND sent_at <= strftime('%Y-%m-%dT%H:%M:%SZ', OLD.sent_at, '+60 seconds')
    );
    -- Its own mark, where it is now.
    UPDATE deliveries SET starts_interruption = CASE
        WHEN status = 'sent' AND channel IN ('push', 'webhook') THEN NOT EXISTS (
        SELECT 1 FROM deliveries p INDEXED BY deliveries_person_order
        WHERE p.user_id = deliveries.user_id AND p.status = 'sent'
            AND p.channel IN ('push', 'webhook')
            AND p.sent_at >= strftime('%Y-%m-%dT%H:%M:%SZ', deliveries.sent_at, '-60 seconds')
            AND (p.sent_at, p.id) < (deliveries.sent_at, deliveries.id)
    )
    END
    WHERE id = NEW.id;
    -- Its new place: those after it within 60 s now follow it.
    UPDATE deliveries SET starts_interruption = 0
    WHERE NEW.status = 'sent' AND NEW.channel IN ('push', 'webhook') AND id IN (
        SELECT id FROM deliveries
        WHERE user_id = NEW.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
            AND sent_at = NEW.sent_at AND id > NEW.id
        UNION ALL
        SELECT id FROM deliveries
        WHERE user_id = NEW.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
            AND sent_at > NEW.sent_at
            AND sent_at <= strftime('%Y-%m-%dT%H:%M:%SZ', NEW.sent_at, '+60 seconds')
    );
END;

CREATE TRIGGER metrics_marks_alert_delete AFTER DELETE ON alerts
BEGIN
    INSERT INTO metrics_marks (team_id, day, changes)
    VALUES (OLD.team_id, substr(OLD.created_at, 1, 10), 1)
    ON CONFLICT (team_id, day) DO UPDATE SET changes = changes + 1;
    INSERT INTO metrics_marks (team_id, day, changes)
    SELECT OLD.team_id, day, 1 FROM (
        SELECT substr(MIN(b.created_at), 1, 10) AS day FROM alerts b INDEXED BY alerts_problem
        WHERE b.team_id = OLD.team_id AND lower(trim(b.source)) = lower(trim(OLD.source))
            AND lower(trim(b.title)) = lower(trim(OLD.title)) AND b.created_at > OLD.created_at
    ) WHERE day IS NOT NULL
    ON CONFLICT (team_id, day) DO UPDATE SET changes = changes + 1;
END;

CREATE TRIGGER metrics_marks_alert_insert AFTER INSERT ON alerts
BEGIN
    INSERT INTO metrics_marks (team_id, day, changes)
    VALUES (NEW.team_id, substr(NEW.created_at, 1, 10), 1)
    ON CONFLICT (team_id, day) DO UPDATE SET changes = changes + 1;
    INSERT INTO metrics_marks (team_id, day, changes)
    SELECT NEW.team_id, day, 1 FROM (
        SELECT substr(MIN(b.created_at), 1, 10) AS day FROM alerts b INDEXED BY alerts_problem
        WHERE b.team_id = NEW.team_id AND lower(trim(b.source)) = lower(trim(NEW.source))
            AND lower(trim(b.title)) = lower(trim(NEW.title)) AND b.created_at > NEW.created_at
    ) WHERE day IS NOT NULL
    ON CONFLICT (team_id, day) DO UPDATE SET changes = changes + 1;
END;

CREATE TRIGGER metrics_marks_alert_update
AFTER UPDATE OF team_id, created_at, acknowledged_at, resolved_at, source, title ON alerts
WHEN OLD.team_id IS NOT NEW.team_id OR OLD.created_at IS NOT NEW.created_at
    OR OLD.acknowledged_at IS NOT NEW.acknowledged_at OR OLD.resolved_at IS NOT NEW.resolved_at
    OR OLD.source IS NOT NEW.source OR OLD.title IS NOT NEW.title
BEGIN
    INSERT INTO metrics_marks (team_id, day, changes)
    VALUES (OLD.team_id, substr(OLD.created_at, 1, 10), 1)
    ON CONFLICT (team_id, day) DO UPDATE SET changes = changes + 1;
    INSERT INTO metrics_marks (team_id, day, changes)
    VALUES (NEW.team_id, substr(NEW.created_at, 1, 10), 1)
    ON CONFLICT (team_id, day) DO UPDATE SET changes = changes + 1;
END;

CREATE TRIGGER metrics_marks_alert_update_next
AFTER UPDATE OF team_id, created_at, resolved_at, source, title ON alerts
WHEN OLD.team_id IS NOT NEW.team_id OR OLD.created_at IS NOT NEW.created_at
    OR OLD.resolved_at IS NOT NEW.resolved_at
    OR OLD.source IS NOT NEW.source OR OLD.title IS NOT NEW.title
BEGIN
    INSERT INTO metrics_marks (team_id, day, changes)
    SELECT OLD.team_id, day, 1 FROM (
        SELECT substr(MIN(b.created_at), 1, 10) AS day FROM alerts b INDEXED BY alerts_problem
        WHERE b.team_id = OLD.team_id AND lower(trim(b.source)) = lower(trim(OLD.source))
            AND lower(trim(b.title)) = lower(trim(OLD.title)) AND b.created_at > OLD.created_at
    ) WHERE day IS NOT NULL
    ON CONFLICT (team_id, day) DO UPDATE SET changes = changes + 1;
    INSERT INTO metrics_marks (team_id, day, changes)
    SELECT NEW.team_id, day, 1 FROM (
        SELECT substr(MIN(b.created_at), 1, 10) AS day FROM alerts b INDEXED BY alerts_problem
        WHERE b.team_id = NEW.team_id AND lower(trim(b.source)) = lower(trim(NEW.source))
            AND lower(trim(b.title)) = lower(trim(NEW.title)) AND b.created_at > NEW.created_at
    ) WHERE day IS NOT NULL
    ON CONFLICT (team_id, day) DO UPDATE SET changes = changes + 1;
END;

CREATE TRIGGER metrics_marks_event_change AFTER UPDATE ON alert_events
WHEN OLD.kind = 'paged' OR NEW.kind = 'paged'
BEGIN
    INSERT INTO metrics_marks (team_id, day, changes)
    SELECT a.team_id, substr(a.created_at, 1, 10), 1 FROM alerts a
    WHERE a.id IN (OLD.alert_id, NEW.alert_id)
    ON CONFLICT (team_id, day) DO UPDATE SET changes = changes + 1;
END;

CREATE TRIGGER metrics_marks_event_delete AFTER DELETE ON alert_events
WHEN OLD.kind = 'paged'
BEGIN
    INSERT INTO metrics_marks (team_id, day, changes)
    SELECT a.team_id, substr(a.created_at, 1, 10), 1 FROM alerts a WHERE a.id = OLD.alert_id
    ON CONFLICT (team_id, day) DO UPDATE SET changes = changes + 1;
END;

CREATE TRIGGER metrics_marks_event_insert AFTER INSERT ON alert_events
WHEN NEW.kind = 'paged'
BEGIN
    INSERT INTO metrics_marks (team_id, day, changes)
    SELECT a.team_id, substr(a.created_at, 1, 10), 1 FROM alerts a WHERE a.id = NEW.alert_id
    ON CONFLICT (team_id, day) DO UPDATE SET changes = changes + 1;
END;

CREATE TRIGGER metrics_marks_intervention_delete AFTER DELETE ON interventions
BEGIN
    INSERT INTO metrics_marks (team_id, day, changes)
    SELECT team_id, day, 1 FROM (
        SELECT OLD.team_id AS team_id, substr(OLD.started_at, 1, 10) AS day
        UNION SELECT a.team_id, substr(a.created_at, 1, 10) FROM alerts a
        WHERE a.id = OLD.alert_id
    ) WHERE team_id IS NOT NULL
    ON CONFLICT (team_id, day) DO UPDATE SET changes = changes + 1;
END;

CREATE TRIGGER metrics_marks_intervention_insert AFTER INSERT ON interventions
BEGIN
    INSERT INTO metrics_marks (team_id, day, changes)
    SELECT team_id, day, 1 FROM (
        SELECT NEW.team_id AS team_id, substr(NEW.started_at, 1, 10) AS day
        UNION SELECT a.team_id, substr(a.created_at, 1, 10) FROM alerts a
        WHERE a.id = NEW.alert_id
    ) WHERE team_id IS NOT NULL
    ON CONFLICT (team_id, day) DO UPDATE SET changes = changes + 1;
END;

CREATE TRIGGER metrics_marks_intervention_update
AFTER UPDATE OF team_id, alert_id, started_at, ended_at, travel_minutes, deleted_at
ON interventions
WHEN OLD.team_id IS NOT NEW.team_id OR OLD.alert_id IS NOT NEW.alert_id
    OR OLD.started_at IS NOT NEW.started_at OR OLD.ended_at IS NOT NEW.ended_at
    OR OLD.travel_minutes IS NOT NEW.travel_minutes OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
    INSERT INTO metrics_marks (team_id, day, changes)
    SELECT team_id, day, 1 FROM (
        SELECT OLD.team_id AS team_id, substr(OLD.started_at, 1, 10) AS day
        UNION SELECT NEW.team_id, substr(NEW.started_at, 1, 10)
        UNION SELECT a.team_id, substr(a.created_at, 1, 10) FROM alerts a
        WHERE a.id IN (OLD.alert_id, NEW.alert_id)
    ) WHERE team_id IS NOT NULL
    ON CONFLICT (team_id, day) DO UPDATE SET changes = changes + 1;
END;

CREATE TRIGGER quality_pending_answer AFTER UPDATE OF score, intervention_id ON surveys
WHEN NEW.score IS NOT NULL AND NEW.intervention_id IS NOT NULL BEGIN
    INSERT OR IGNORE INTO quality_pending (intervention_id) VALUES (NEW.intervention_id);
END;

CREATE TRIGGER quality_pending_answered AFTER INSERT ON surveys
WHEN NEW.score IS NOT NULL AND NEW.intervention_id IS NOT NULL BEGIN
    INSERT OR IGNORE INTO quality_pending (intervention_id) VALUES (NEW.intervention_id);
END;

CREATE TRIGGER quality_pending_changed AFTER UPDATE ON interventions BEGIN
    INSERT OR IGNORE INTO quality_pending (intervention_id) VALUES (NEW.id);
END;

CREATE TRIGGER quality_pending_new AFTER INSERT ON interventions BEGIN
    INSERT OR IGNORE INTO quality_pending (intervention_id) VALUES (NEW.id);
END;

CREATE TRIGGER statement_acknowledgements_kept BEFORE DELETE ON statement_acknowledgements
BEGIN
    SELECT RAISE(ABORT, 'an acknowledgement of receipt is kept');
END;

CREATE TRIGGER statements_never_change BEFORE UPDATE ON statements
BEGIN
    SELECT RAISE(ABORT, 'a statement never changes: write a rectifying version');
END;

CREATE TRIGGER statements_never_deleted BEFORE DELETE ON statements
BEGIN
    SELECT RAISE(ABORT, 'statements are kept: they cannot be deleted');
END;

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

CREATE TABLE ack_tokens (
    token_hash TEXT PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

CREATE TABLE alert_events (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '',
    severity TEXT NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
    dedup_key TEXT,
    source TEXT NOT NULL DEFAULT '',
    links TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'triggered'
        CHECK (status IN ('triggered', 'acknowledged', 'resolved')),
    created_at TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by INTEGER REFERENCES users (id),
    resolved_at TEXT,
    resolved_by INTEGER REFERENCES users (id),
    assigned_user_id INTEGER REFERENCES users (id),
    policy TEXT NOT NULL,
    step INTEGER NOT NULL DEFAULT 0,
    round INTEGER NOT NULL DEFAULT 0,
    next_step_at TEXT,
    event_count INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1
, client_id INTEGER REFERENCES clients (id) ON DELETE SET NULL, site_id INTEGER REFERENCES client_sites (id) ON DELETE SET NULL, labels TEXT NOT NULL DEFAULT '{}');

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    team_id INTEGER,
    before TEXT,
    after TEXT
);

CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team_id INTEGER REFERENCES teams (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE client_phones (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    site_id INTEGER REFERENCES client_sites (id) ON DELETE SET NULL,
    number TEXT NOT NULL CHECK (number GLOB '+[1-9]*'),
    label TEXT NOT NULL DEFAULT '',
    UNIQUE (client_id, number)
);

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
    version INTEGER NOT NULL DEFAULT 1, search_text TEXT NOT NULL DEFAULT '',
    UNIQUE (team_id, reference)
);

CREATE TABLE declared_rests (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (ended_at > started_at)
);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    alert_id INTEGER REFERENCES alerts (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('push', 'email', 'webhook')),
    subscription_id INTEGER REFERENCES push_subscriptions (id) ON DELETE SET NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sent', 'failed', 'gone', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
, starts_interruption INTEGER);

CREATE TABLE delivery_attempts (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL CHECK (attempt >= 1),
    at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed', 'gone')),
    status_code INTEGER NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);

CREATE TABLE escalation_policies (
    team_id INTEGER PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    policy TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE fatigue_prompts (
    occasion TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sent_at TEXT NOT NULL
);

CREATE TABLE fatigue_reports (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 9),
    reported_at TEXT NOT NULL,
    context TEXT NOT NULL CHECK (context IN ('today', 'shift_start', 'night_intervention')),
    created_at TEXT NOT NULL
);

CREATE TABLE hourly_wages (
    user_id INTEGER PRIMARY KEY REFERENCES users (id),
    cents INTEGER NOT NULL CHECK (cents >= 0),
    updated_at TEXT NOT NULL
);

CREATE TABLE intervention_checklists (
    intervention_id INTEGER NOT NULL REFERENCES interventions (id) ON DELETE CASCADE,
    procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    -- JSON list of the ticked items' numbers (data-item of the rendered checklist), sorted.
    items TEXT NOT NULL DEFAULT '[]',
    saved_at TEXT NOT NULL,
    PRIMARY KEY (intervention_id, procedure_id)
);

CREATE TABLE interventions (
    id INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    team_id INTEGER REFERENCES teams (id) ON DELETE SET NULL,
    alert_id INTEGER REFERENCES alerts (id) ON DELETE SET NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    travel_minutes INTEGER NOT NULL DEFAULT 0,
    place TEXT NOT NULL DEFAULT '',
    latitude REAL,
    longitude REAL,
    mode TEXT NOT NULL CHECK (mode IN ('remote', 'on_site')),
    found TEXT NOT NULL DEFAULT '',
    done TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL CHECK (outcome IN ('resolved', 'temporary', 'escalated', 'follow_up')),
    client_version INTEGER NOT NULL DEFAULT 1,
    client_changed_at TEXT NOT NULL,
    server_changed_at TEXT NOT NULL,
    corrected_by INTEGER REFERENCES users (id),
    deleted_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL, client_id INTEGER REFERENCES clients (id) ON DELETE SET NULL, site_id INTEGER
    REFERENCES client_sites (id) ON DELETE SET NULL,
    CHECK (ended_at > started_at)
);

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    address TEXT NOT NULL,
    at TEXT NOT NULL
);

CREATE TABLE memberships (
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team_role TEXT NOT NULL DEFAULT 'member' CHECK (team_role IN ('member', 'manager')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);

CREATE TABLE metrics_marks (
    team_id INTEGER NOT NULL,
    day TEXT NOT NULL, -- UTC day, YYYY-MM-DD
    changes INTEGER NOT NULL,
    PRIMARY KEY (team_id, day)
) WITHOUT ROWID;

CREATE TABLE notification_rules (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('push', 'email', 'webhook')),
    delay_minutes INTEGER NOT NULL DEFAULT 0 CHECK (delay_minutes BETWEEN 0 AND 240),
    UNIQUE (user_id, channel)
);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}',
    url TEXT NOT NULL DEFAULT '/',
    urgency TEXT NOT NULL DEFAULT 'normal' CHECK (urgency IN ('low', 'normal', 'high')),
    created_at TEXT NOT NULL,
    read_at TEXT
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

CREATE TABLE procedure_reads (
    procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    read_at TEXT NOT NULL,
    PRIMARY KEY (procedure_id, user_id, version)
);

CREATE TABLE procedure_review_reminders (
    procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    review_on TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (procedure_id, review_on)
);

CREATE TABLE procedure_tags (
    id INTEGER PRIMARY KEY,
    procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('source', 'label', 'client', 'site')),
    value TEXT NOT NULL,
    UNIQUE (procedure_id, kind, value)
);

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

CREATE TABLE push_subscriptions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    device_token TEXT NOT NULL UNIQUE,
    user_agent TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    last_success_at TEXT,
    last_failure_at TEXT
);

CREATE TABLE qualification_reminders (
    person_qualification_id INTEGER NOT NULL
        REFERENCES person_qualifications (id) ON DELETE CASCADE,
    expires_on TEXT NOT NULL,
    days_before INTEGER NOT NULL CHECK (days_before > 0),
    sent_at TEXT NOT NULL,
    PRIMARY KEY (person_qualification_id, expires_on, days_before)
);

CREATE TABLE qualifications (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    -- How long a qualification lasts once obtained; NULL: it does not expire.
    validity_months INTEGER CHECK (validity_months BETWEEN 1 AND 240),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE quality_pending (
    intervention_id INTEGER PRIMARY KEY REFERENCES interventions (id) ON DELETE CASCADE
);

CREATE TABLE quality_queue (
    intervention_id INTEGER PRIMARY KEY REFERENCES interventions (id) ON DELETE CASCADE,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    reasons TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    queued_at TEXT NOT NULL
);

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

CREATE TABLE quality_settings (
    team_id INTEGER PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
    salt TEXT NOT NULL,
    checklist TEXT,
    updated_at TEXT NOT NULL
);

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

CREATE TABLE rotation_qualifications (
    qualification_id INTEGER NOT NULL REFERENCES qualifications (id) ON DELETE CASCADE,
    rotation_id INTEGER NOT NULL REFERENCES rotations (id) ON DELETE CASCADE,
    PRIMARY KEY (qualification_id, rotation_id)
);

CREATE TABLE rotations (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    layer TEXT NOT NULL CHECK (layer IN ('primary', 'secondary')),
    spec TEXT NOT NULL,
    horizon_weeks INTEGER NOT NULL DEFAULT 12,
    active INTEGER NOT NULL DEFAULT 1,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')));

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT ''
);

CREATE TABLE shift_qualifications (
    qualification_id INTEGER NOT NULL REFERENCES qualifications (id) ON DELETE CASCADE,
    shift_id INTEGER NOT NULL REFERENCES shifts (id) ON DELETE CASCADE,
    PRIMARY KEY (qualification_id, shift_id)
);

CREATE TABLE shift_reminders (
    shift_id INTEGER NOT NULL REFERENCES shifts (id) ON DELETE CASCADE,
    offset_minutes INTEGER NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (shift_id, offset_minutes)
);

CREATE TABLE shifts (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    rotation_id INTEGER REFERENCES rotations (id) ON DELETE SET NULL,
    kind TEXT NOT NULL DEFAULT 'regular' CHECK (kind IN ('regular', 'override')),
    layer TEXT NOT NULL CHECK (layer IN ('primary', 'secondary')),
    user_id INTEGER NOT NULL REFERENCES users (id),
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'published', 'accepted', 'declined')),
    published_at TEXT,
    exceptional_reason TEXT,
    answered_at TEXT,
    decline_reason TEXT,
    edited INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (ends_at > starts_at)
);

CREATE TABLE statement_acknowledgements (
    statement_id INTEGER PRIMARY KEY REFERENCES statements (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    acknowledged_at TEXT NOT NULL
);

CREATE TABLE statement_closings (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id),
    month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
    -- The month's instants in UTC as the team's zone saw them at closing, for the re-check.
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    closed_at TEXT NOT NULL,
    -- NULL: closed by the engine once the grace period was over.
    closed_by INTEGER REFERENCES users (id),
    -- Changes to shifts and interventions from this instant on are looked at by the re-check.
    checked_at TEXT NOT NULL,
    UNIQUE (team_id, month)
);

CREATE TABLE statements (
    id INTEGER PRIMARY KEY,
    closing_id INTEGER NOT NULL REFERENCES statement_closings (id),
    team_id INTEGER NOT NULL REFERENCES teams (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    month TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    -- The document as JSON (keys sorted); sha256 is of exactly these bytes (UTF-8).
    content TEXT NOT NULL,
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    -- For a rectifying version: what changed from the previous one (JSON), also in content.
    difference TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (team_id, user_id, month, version),
    CHECK (version = 1 OR difference IS NOT NULL)
);

CREATE TABLE survey_links (
    token_hash TEXT PRIMARY KEY,
    survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

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

CREATE TABLE swap_approval_tokens (
    token_hash TEXT PRIMARY KEY,
    swap_id INTEGER NOT NULL REFERENCES swap_requests (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

CREATE TABLE swap_declines (
    swap_id INTEGER NOT NULL REFERENCES swap_requests (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    PRIMARY KEY (swap_id, user_id)
);

CREATE TABLE swap_requests (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('swap', 'cover')),
    -- The person whose shift it is, and who typed the request (a manager on their behalf).
    requester_id INTEGER NOT NULL REFERENCES users (id),
    created_by INTEGER NOT NULL REFERENCES users (id),
    shift_id INTEGER REFERENCES shifts (id) ON DELETE SET NULL,
    -- What the shift was when asked (owner, start, end, layer): a change voids the request.
    shift_fingerprint TEXT NOT NULL,
    -- The stretch given away: the whole shift for a swap, whole or a part for a cover.
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    -- A swap: the colleague's shift the requester takes in exchange.
    counter_shift_id INTEGER REFERENCES shifts (id) ON DELETE SET NULL,
    counter_fingerprint TEXT,
    -- One colleague, or NULL: open to the team.
    target_id INTEGER REFERENCES users (id),
    taker_id INTEGER REFERENCES users (id),
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN (
        'pending', 'accepted', 'approved', 'rejected', 'declined', 'cancelled', 'expired', 'void'
    )),
    note TEXT NOT NULL DEFAULT '',
    -- The checks as the deciding person saw them (JSON), and the reason given over a warning.
    findings TEXT,
    decision_reason TEXT,
    decided_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    accepted_at TEXT,
    decided_at TEXT,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (ends_at > starts_at)
);

CREATE TABLE sync_operations (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    op_id TEXT NOT NULL,
    uuid TEXT NOT NULL,
    result TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (user_id, op_id)
);

CREATE TABLE team_compensation (
    team_id INTEGER PRIMARY KEY REFERENCES teams (id),
    holidays TEXT NOT NULL DEFAULT 'FR' CHECK (holidays IN (
        'FR', 'FR-alsace-moselle', 'FR-guadeloupe', 'FR-martinique', 'FR-guyane',
        'FR-reunion', 'FR-mayotte'
    )),
    night_start TEXT NOT NULL DEFAULT '21:00',
    night_end TEXT NOT NULL DEFAULT '06:00',
    oncall_weekday_cents_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (oncall_weekday_cents_per_hour >= 0),
    oncall_saturday_cents_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (oncall_saturday_cents_per_hour >= 0),
    oncall_sunday_cents_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (oncall_sunday_cents_per_hour >= 0),
    oncall_holiday_cents_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (oncall_holiday_cents_per_hour >= 0),
    oncall_night_cents_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (oncall_night_cents_per_hour >= 0),
    rest_weekday_minutes_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (rest_weekday_minutes_per_hour >= 0),
    rest_saturday_minutes_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (rest_saturday_minutes_per_hour >= 0),
    rest_sunday_minutes_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (rest_sunday_minutes_per_hour >= 0),
    rest_holiday_minutes_per_hour INTEGER NOT NULL DEFAULT 0 CHECK (rest_holiday_minutes_per_hour >= 0),
    premium_weekday_percent INTEGER NOT NULL DEFAULT 0 CHECK (premium_weekday_percent >= 0),
    premium_saturday_percent INTEGER NOT NULL DEFAULT 0 CHECK (premium_saturday_percent >= 0),
    premium_sunday_percent INTEGER NOT NULL DEFAULT 0 CHECK (premium_sunday_percent >= 0),
    premium_holiday_percent INTEGER NOT NULL DEFAULT 0 CHECK (premium_holiday_percent >= 0),
    premium_night_percent INTEGER NOT NULL DEFAULT 0 CHECK (premium_night_percent >= 0),
    -- Days after the month's end before the engine closes it (late syncs).
    grace_days INTEGER NOT NULL DEFAULT 3 CHECK (grace_days BETWEEN 0 AND 31),
    updated_at TEXT NOT NULL
);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    timezone TEXT NOT NULL DEFAULT 'Europe/Paris',
    policy TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE training_attendees (
    session_id INTEGER NOT NULL REFERENCES training_sessions (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (session_id, user_id)
);

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

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    phone TEXT NOT NULL DEFAULT '',
    locale TEXT CHECK (locale IN ('fr', 'en')),
    timezone TEXT NOT NULL DEFAULT 'Europe/Paris',
    role TEXT NOT NULL CHECK (role IN ('staff', 'manager', 'admin')),
    password_hash TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
, reminder_minutes TEXT NOT NULL DEFAULT '1440,60');

CREATE TABLE work_pattern_ranges (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
    CHECK (end_minute > start_minute)
);

CREATE INDEX absences_user ON absences (user_id, first_day);

CREATE INDEX alert_events_alert ON alert_events (alert_id, id);

CREATE INDEX alert_events_escalated ON alert_events (alert_id)
    WHERE kind = 'paged' AND (json_extract(detail, '$.step') >= 2
        OR json_extract(detail, '$.round') >= 2);

CREATE INDEX alerts_acknowledger ON alerts (acknowledged_by, created_at, team_id)
    WHERE acknowledged_by IS NOT NULL;

CREATE INDEX alerts_by_client ON alerts (client_id, created_at) WHERE client_id IS NOT NULL;

CREATE INDEX alerts_next_step ON alerts (next_step_at) WHERE status = 'triggered';

CREATE INDEX alerts_open ON alerts (created_at) WHERE status != 'resolved';

CREATE UNIQUE INDEX alerts_open_dedup ON alerts (team_id, dedup_key)
    WHERE dedup_key IS NOT NULL AND status != 'resolved';

CREATE INDEX alerts_problem ON alerts (
    team_id, lower(trim(source)), lower(trim(title)), created_at, resolved_at
);

CREATE INDEX alerts_team_acknowledge ON alerts (
    team_id, unixepoch(acknowledged_at) - unixepoch(created_at), created_at, acknowledged_at
) WHERE acknowledged_at IS NOT NULL;

CREATE INDEX alerts_team_created ON alerts (
    team_id, created_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by,
    assigned_user_id
);

CREATE INDEX alerts_team_hour ON alerts (team_id, substr(created_at, 1, 13), created_at);

CREATE INDEX alerts_team_resolve ON alerts (
    team_id, unixepoch(resolved_at) - unixepoch(created_at), created_at, resolved_at
) WHERE resolved_at IS NOT NULL;

CREATE INDEX alerts_team_status ON alerts (team_id, status, created_at);

CREATE INDEX api_keys_team ON api_keys (team_id);

CREATE INDEX audit_log_at ON audit_log (at);

CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id);

CREATE INDEX calendar_feeds_user ON calendar_feeds (user_id);

CREATE INDEX client_phones_by_number ON client_phones (number);

CREATE INDEX client_sites_by_client ON client_sites (client_id);

CREATE INDEX clients_by_team_name ON clients (team_id, name COLLATE NOCASE);

CREATE INDEX declared_rests_user ON declared_rests (user_id, started_at);

CREATE INDEX deliveries_alert ON deliveries (alert_id);

CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';

CREATE INDEX deliveries_person_order ON deliveries (user_id, sent_at, id)
    WHERE status = 'sent' AND channel IN ('push', 'webhook');

CREATE INDEX deliveries_person_sent ON deliveries (user_id, sent_at, alert_id)
    WHERE status = 'sent' AND channel IN ('push', 'webhook');

CREATE INDEX deliveries_person_starts ON deliveries (user_id, sent_at, alert_id)
    WHERE starts_interruption = 1;

CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, attempt);

CREATE INDEX fatigue_reports_user ON fatigue_reports (user_id, reported_at);

CREATE INDEX intervention_checklists_by_procedure ON intervention_checklists (procedure_id);

CREATE INDEX interventions_alert ON interventions (alert_id);

CREATE INDEX interventions_alert_work ON interventions (
    alert_id, started_at, ended_at, travel_minutes, user_id
) WHERE deleted_at IS NULL;

CREATE INDEX interventions_by_client ON interventions (client_id, started_at)
    WHERE client_id IS NOT NULL;

CREATE INDEX interventions_client_changes ON interventions (updated_at)
    WHERE client_id IS NOT NULL;

CREATE INDEX interventions_ended ON interventions (ended_at);

CREATE INDEX interventions_person_end ON interventions (
    user_id, ended_at, started_at, travel_minutes
) WHERE deleted_at IS NULL;

CREATE INDEX interventions_team_duration ON interventions (
    team_id, unixepoch(ended_at) - unixepoch(started_at) + 60 * travel_minutes, started_at,
    ended_at, travel_minutes
) WHERE deleted_at IS NULL;

CREATE INDEX interventions_team_start ON interventions (team_id, started_at);

CREATE INDEX interventions_user_start ON interventions (user_id, started_at);

CREATE INDEX invitations_user ON invitations (user_id);

CREATE INDEX login_failures_account ON login_failures (account, at);

CREATE INDEX login_failures_address ON login_failures (address, at);

CREATE INDEX memberships_user ON memberships (user_id);

CREATE INDEX notifications_alert ON notifications (user_id, json_extract(params, '$.alert_id'))
    WHERE kind = 'alert';

CREATE INDEX notifications_user ON notifications (user_id, created_at);

CREATE INDEX person_qualifications_by_expiry ON person_qualifications (expires_on)
    WHERE expires_on IS NOT NULL;

CREATE INDEX person_qualifications_by_qualification ON person_qualifications (qualification_id);

CREATE INDEX procedure_tags_by_value ON procedure_tags (kind, value);

CREATE INDEX procedures_by_review ON procedures (review_on) WHERE archived_at IS NULL;

CREATE INDEX procedures_by_team ON procedures (team_id) WHERE archived_at IS NULL;

CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);

CREATE INDEX quality_queue_by_team ON quality_queue (team_id, ended_at);

CREATE INDEX quality_reviews_by_person ON quality_reviews (user_id, ended_at);

CREATE INDEX quality_reviews_by_team ON quality_reviews (team_id, ended_at);

CREATE INDEX quality_reviews_follow_ups ON quality_reviews (team_id)
    WHERE follow_up = 1 AND follow_up_done_at IS NULL;

CREATE INDEX review_actions_team_month ON review_actions (team_id, month);

CREATE INDEX rotations_team ON rotations (team_id);

CREATE INDEX sessions_user ON sessions (user_id);

CREATE INDEX shift_qualifications_by_shift ON shift_qualifications (shift_id);

CREATE INDEX shifts_rotation_start ON shifts (rotation_id, starts_at);

CREATE INDEX shifts_team_start ON shifts (team_id, starts_at);

CREATE INDEX shifts_user_start ON shifts (user_id, starts_at);

CREATE INDEX statements_team_month ON statements (team_id, month, user_id, version);

CREATE INDEX statements_user ON statements (user_id, month);

CREATE INDEX survey_links_by_survey ON survey_links (survey_id);

CREATE INDEX survey_messages_claimed ON survey_messages (claimed_at) WHERE status = 'sending';

CREATE INDEX survey_messages_due ON survey_messages (next_attempt_at) WHERE status = 'pending';

CREATE INDEX survey_qr_tokens_pool ON survey_qr_tokens (user_id, expires_at)
    WHERE used_at IS NULL AND intervention_uuid IS NULL;

CREATE INDEX surveys_answered ON surveys (team_id, answered_at) WHERE answered_at IS NOT NULL;

CREATE INDEX surveys_by_client ON surveys (client_id) WHERE client_id IS NOT NULL;

CREATE INDEX surveys_due ON surveys (send_at) WHERE status = 'scheduled';

CREATE INDEX surveys_reminders ON surveys (reminder_at) WHERE status = 'sent';

CREATE INDEX swap_approval_tokens_swap ON swap_approval_tokens (swap_id);

CREATE INDEX swap_requests_counter ON swap_requests (counter_shift_id);

CREATE INDEX swap_requests_expiry ON swap_requests (status, expires_at);

CREATE INDEX swap_requests_requester ON swap_requests (requester_id, created_at);

CREATE INDEX swap_requests_shift ON swap_requests (shift_id);

CREATE INDEX swap_requests_team_status ON swap_requests (team_id, status);

CREATE INDEX training_attendees_by_person ON training_attendees (user_id);

CREATE INDEX training_sessions_by_team ON training_sessions (team_id, held_on);

CREATE INDEX work_pattern_ranges_user ON work_pattern_ranges (user_id, weekday, start_minute);


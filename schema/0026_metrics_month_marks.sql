-- Why: the 12-month figures recomputed a year of alerts after any write (496 ms, goal 300).
-- A closed month's alert figures change only when its alerts, their escalation events or the
-- interventions linked to them or started in it change; these triggers count such changes per
-- team and UTC day, so the figures of a month are kept (server/metrics/months.py) until a
-- change counted on one of its days. A problem's return depends on the previous alert of the
-- same problem: an alert written, moved or deleted counts a change on the day of the next alert
-- of its problem too (one seek into alerts_problem). Counters only grow: a month's sum of them
-- is its version.
CREATE TABLE metrics_marks (
    team_id INTEGER NOT NULL,
    day TEXT NOT NULL, -- UTC day, YYYY-MM-DD
    changes INTEGER NOT NULL,
    PRIMARY KEY (team_id, day)
) WITHOUT ROWID;

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

-- An acknowledgement changes no return: the next alert is looked for only when what a return
-- depends on changed.
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

-- Escalations: the paged events of an alert count on its day.
CREATE TRIGGER metrics_marks_event_insert AFTER INSERT ON alert_events
WHEN NEW.kind = 'paged'
BEGIN
    INSERT INTO metrics_marks (team_id, day, changes)
    SELECT a.team_id, substr(a.created_at, 1, 10), 1 FROM alerts a WHERE a.id = NEW.alert_id
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

-- Interventions: on the day they started (durations, by the intervention's team) and on their
-- alert's day (time to intervene, intervention time of problems).
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

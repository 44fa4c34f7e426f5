-- Why: the figures (issue 14) read a year of alerts per team in one aggregate each; these
-- indexes let them run from indexes alone (100,000 alerts a year) rather than reading rows.

-- A team's alerts created in a period, with what response times and a person's scope read.
CREATE INDEX alerts_team_created ON alerts (
    team_id, created_at, acknowledged_at, acknowledged_by, resolved_at, resolved_by,
    assigned_user_id
);

-- The escalated alerts: a step past the first, or a later round, paged someone. The same
-- expression as the figures' query (server/metrics/store/alerts.py), so the planner uses it.
CREATE INDEX alert_events_escalated ON alert_events (alert_id)
    WHERE kind = 'paged' AND (json_extract(detail, '$.step') >= 2
        OR json_extract(detail, '$.round') >= 2);

-- The interventions linked to an alert, not deleted: the first one's start, their durations.
CREATE INDEX interventions_alert_work ON interventions (
    alert_id, started_at, ended_at, travel_minutes, user_id
) WHERE deleted_at IS NULL;

-- Recurring problems: a team's alerts by problem (source and title, trimmed, case aside), so
-- they are grouped without a sort and each alert's previous one (and when it was resolved) is
-- one seek into the index.
CREATE INDEX alerts_problem ON alerts (
    team_id, lower(trim(source)), lower(trim(title)), created_at, resolved_at
);

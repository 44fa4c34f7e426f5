-- Why: the figures' response times over a long period (12 months: 100,000 alerts a team)
-- spent most of their time sorting every alert's duration to find the median and the 90th
-- percentile. These indexes hold a team's acknowledged (resolved) alerts in order of that
-- duration, with what the query reads, so a period covering much of the team's history is
-- read in order from the index alone, without a sort (server/metrics/store/alerts.py; the
-- expressions are the query's, so the planner matches them).
CREATE INDEX alerts_team_acknowledge ON alerts (
    team_id, unixepoch(acknowledged_at) - unixepoch(created_at), created_at, acknowledged_at
) WHERE acknowledged_at IS NOT NULL;

CREATE INDEX alerts_team_resolve ON alerts (
    team_id, unixepoch(resolved_at) - unixepoch(created_at), created_at, resolved_at
) WHERE resolved_at IS NOT NULL;

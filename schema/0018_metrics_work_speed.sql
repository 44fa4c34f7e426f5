-- Why: as 0017 for the alerts, the figures' intervention durations (travel included) over a
-- period covering much of a team's history are read in order of duration from this index
-- rather than sorted (server/metrics/store/alerts.py: intervention_distribution; the
-- expression is the query's, so the planner matches it).
CREATE INDEX interventions_team_duration ON interventions (
    team_id, unixepoch(ended_at) - unixepoch(started_at) + 60 * travel_minutes, started_at,
    ended_at, travel_minutes
) WHERE deleted_at IS NULL;

-- Why: the people figures (issue 14) count, per person, the alerts of a period they
-- acknowledged (of the team, or of any team on their own page). The index by team and time
-- made that a read of every alert of the period (100,000 a year); by the person who
-- acknowledged, it is a short range per person (server/metrics/store/people.py:
-- acknowledged_counts). Only acknowledged alerts are in it: raising one writes nothing more.
CREATE INDEX alerts_acknowledger ON alerts (acknowledged_by, created_at, team_id)
    WHERE acknowledged_by IS NOT NULL;

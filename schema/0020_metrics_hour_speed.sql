-- Why: the figures' heat map (alerts by local hour of the week) over a year sorted 100,000
-- alerts by their hour. By UTC hour in this index, a team's alerts are counted hour by hour
-- in the index's order without a sort, then the few thousand hours are placed in the week
-- (server/metrics/store/alerts.py: hour_of_week_counts; zones whose offsets are whole hours).
CREATE INDEX alerts_team_hour ON alerts (team_id, substr(created_at, 1, 13), created_at);

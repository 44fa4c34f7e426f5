-- Why: Today lists a person's open alerts, newest first. Without this index the query read every
-- alert ever raised (a year of resolved ones) to find the few still open; this one holds only
-- the open ones, in the order the page shows them.

CREATE INDEX alerts_open ON alerts (created_at) WHERE status != 'resolved';

-- Why: the people figures (issue 14) count each person's interruptions over a period: push
-- and webhook deliveries sent to them, in the order they were sent (a LAG window merges those
-- within 60 s). This index holds exactly those deliveries in that order, with the alert they
-- are about (the team page keeps its team's), so the window reads it without a sort or a row.
CREATE INDEX deliveries_person_sent ON deliveries (user_id, sent_at, alert_id)
    WHERE status = 'sent' AND channel IN ('push', 'webhook');

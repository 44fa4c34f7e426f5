-- Why: the app badge and the Today page count the open alerts a person was paged for; this
-- index lists the alerts of a person's alert notifications without parsing every notification's
-- JSON, so the count stays cheap as notifications pile up (a storm, a year of history).

CREATE INDEX notifications_alert ON notifications (user_id, json_extract(params, '$.alert_id'))
    WHERE kind = 'alert';

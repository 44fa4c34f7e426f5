-- Why: the people figures (issue 14) count interruptions: push and webhook deliveries sent to
-- a person, one sent within 60 s after another to them (INTERRUPTION_GAP_SECONDS) merging with
-- it. A LAG window over every delivery of the period took 0.2 s for a year of 50 people, at
-- each reading. Whether a delivery starts an interruption is decided once, when it is written:
-- 1 if it does, 0 if it follows another within 60 s, NULL if it is no sent push or webhook.
-- Deliveries are ordered by sent_at, then id (first written first among those sent in the
-- same second). Triggers keep it true whoever writes (the dispatcher, the demo, a cut-off): a
-- change to a delivery decides again its own mark and those of the deliveries of the 60 s
-- after it, old place and new.
ALTER TABLE deliveries ADD COLUMN starts_interruption INTEGER;

UPDATE deliveries SET starts_interruption = (
    SELECT CASE WHEN w.before IS NULL OR unixepoch(w.sent_at) - w.before > 60 THEN 1 ELSE 0 END
    FROM (
        SELECT id, sent_at,
            LAG(unixepoch(sent_at)) OVER (PARTITION BY user_id ORDER BY sent_at, id) AS before
        FROM deliveries WHERE status = 'sent' AND channel IN ('push', 'webhook')
    ) w WHERE w.id = deliveries.id
)
WHERE status = 'sent' AND channel IN ('push', 'webhook');

CREATE INDEX deliveries_person_starts ON deliveries (user_id, sent_at, alert_id)
    WHERE starts_interruption = 1;

-- A delivery's mark is decided again with those of the sent push and webhook deliveries of the
-- same person in the 60 s after it (the only ones whose mark it can change).
CREATE TRIGGER deliveries_starts_insert AFTER INSERT ON deliveries
WHEN NEW.status = 'sent' AND NEW.channel IN ('push', 'webhook')
BEGIN
    UPDATE deliveries SET starts_interruption = NOT EXISTS (
        SELECT 1 FROM deliveries p
        WHERE p.user_id = deliveries.user_id AND p.status = 'sent'
            AND p.channel IN ('push', 'webhook')
            AND p.sent_at >= strftime('%Y-%m-%dT%H:%M:%SZ', deliveries.sent_at, '-60 seconds')
            AND p.sent_at <= deliveries.sent_at
            AND (p.sent_at < deliveries.sent_at OR p.id < deliveries.id)
    )
    WHERE user_id = NEW.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
        AND sent_at >= NEW.sent_at
        AND sent_at <= strftime('%Y-%m-%dT%H:%M:%SZ', NEW.sent_at, '+60 seconds');
END;

CREATE TRIGGER deliveries_starts_update
AFTER UPDATE OF status, channel, sent_at, user_id ON deliveries
WHEN (OLD.status = 'sent' AND OLD.channel IN ('push', 'webhook'))
    OR (NEW.status = 'sent' AND NEW.channel IN ('push', 'webhook'))
BEGIN
    UPDATE deliveries SET starts_interruption = CASE
        WHEN status = 'sent' AND channel IN ('push', 'webhook') THEN NOT EXISTS (
            SELECT 1 FROM deliveries p
            WHERE p.user_id = deliveries.user_id AND p.status = 'sent'
                AND p.channel IN ('push', 'webhook')
                AND p.sent_at >= strftime('%Y-%m-%dT%H:%M:%SZ', deliveries.sent_at, '-60 seconds')
                AND p.sent_at <= deliveries.sent_at
                AND (p.sent_at < deliveries.sent_at OR p.id < deliveries.id)
        )
    END
    WHERE id = NEW.id;
    UPDATE deliveries SET starts_interruption = NOT EXISTS (
        SELECT 1 FROM deliveries p
        WHERE p.user_id = deliveries.user_id AND p.status = 'sent'
            AND p.channel IN ('push', 'webhook')
            AND p.sent_at >= strftime('%Y-%m-%dT%H:%M:%SZ', deliveries.sent_at, '-60 seconds')
            AND p.sent_at <= deliveries.sent_at
            AND (p.sent_at < deliveries.sent_at OR p.id < deliveries.id)
    )
    WHERE user_id = NEW.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
        AND sent_at >= NEW.sent_at
        AND sent_at <= strftime('%Y-%m-%dT%H:%M:%SZ', NEW.sent_at, '+60 seconds');
    UPDATE deliveries SET starts_interruption = NOT EXISTS (
        SELECT 1 FROM deliveries p
        WHERE p.user_id = deliveries.user_id AND p.status = 'sent'
            AND p.channel IN ('push', 'webhook')
            AND p.sent_at >= strftime('%Y-%m-%dT%H:%M:%SZ', deliveries.sent_at, '-60 seconds')
            AND p.sent_at <= deliveries.sent_at
            AND (p.sent_at < deliveries.sent_at OR p.id < deliveries.id)
    )
    WHERE user_id = OLD.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
        AND sent_at >= OLD.sent_at
        AND sent_at <= strftime('%Y-%m-%dT%H:%M:%SZ', OLD.sent_at, '+60 seconds');
END;

CREATE TRIGGER deliveries_starts_delete AFTER DELETE ON deliveries
WHEN OLD.status = 'sent' AND OLD.channel IN ('push', 'webhook')
BEGIN
    UPDATE deliveries SET starts_interruption = NOT EXISTS (
        SELECT 1 FROM deliveries p
        WHERE p.user_id = deliveries.user_id AND p.status = 'sent'
            AND p.channel IN ('push', 'webhook')
            AND p.sent_at >= strftime('%Y-%m-%dT%H:%M:%SZ', deliveries.sent_at, '-60 seconds')
            AND p.sent_at <= deliveries.sent_at
            AND (p.sent_at < deliveries.sent_at OR p.id < deliveries.id)
    )
    WHERE user_id = OLD.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
        AND sent_at >= OLD.sent_at
        AND sent_at <= strftime('%Y-%m-%dT%H:%M:%SZ', OLD.sent_at, '+60 seconds');
END;

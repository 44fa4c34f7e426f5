-- Why: 0016's triggers decided again the marks of every delivery in the 60 s after a written
-- one, each by a search of its own: a fan-out of 1,000 pushes to one person, marked sent in
-- the same second, did a million searches (0.7 s of the engine's tick, the event loop held).
-- A delivery's mark depends only on the deliveries before it (by sent_at, then id), so:
-- * writing a sent delivery decides its own mark, and turns to 0 the marks of those after it
--   within 60 s (they now follow one within 60 s): none in the usual case, deliveries being
--   marked sent in the order they go out;
-- * a sent delivery leaving its place (deleted, moved, no longer sent) decides again the marks
--   of those after it within 60 s, which may have lost the one they followed: rare.
-- Each range is an index seek on (user_id, sent_at, id) over the sent push and webhook
-- deliveries (the deliveries after one are read as two seeks, the same second after its id and
-- the seconds after: one OR range scanned every delivery of that second, 5 times slower).
-- Same marks as 0016's (tests/integration/test_interruption_marks.py).
DROP TRIGGER deliveries_starts_insert;
DROP TRIGGER deliveries_starts_update;
DROP TRIGGER deliveries_starts_delete;

CREATE INDEX deliveries_person_order ON deliveries (user_id, sent_at, id)
    WHERE status = 'sent' AND channel IN ('push', 'webhook');

CREATE TRIGGER deliveries_starts_insert AFTER INSERT ON deliveries
WHEN NEW.status = 'sent' AND NEW.channel IN ('push', 'webhook')
BEGIN
    UPDATE deliveries SET starts_interruption = NOT EXISTS (
        SELECT 1 FROM deliveries p INDEXED BY deliveries_person_order
        WHERE p.user_id = deliveries.user_id AND p.status = 'sent'
            AND p.channel IN ('push', 'webhook')
            AND p.sent_at >= strftime('%Y-%m-%dT%H:%M:%SZ', deliveries.sent_at, '-60 seconds')
            AND (p.sent_at, p.id) < (deliveries.sent_at, deliveries.id)
    )
    WHERE id = NEW.id;
    UPDATE deliveries SET starts_interruption = 0 WHERE id IN (
        SELECT id FROM deliveries
        WHERE user_id = NEW.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
            AND sent_at = NEW.sent_at AND id > NEW.id
        UNION ALL
        SELECT id FROM deliveries
        WHERE user_id = NEW.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
            AND sent_at > NEW.sent_at
            AND sent_at <= strftime('%Y-%m-%dT%H:%M:%SZ', NEW.sent_at, '+60 seconds')
    );
END;

CREATE TRIGGER deliveries_starts_update
AFTER UPDATE OF status, channel, sent_at, user_id ON deliveries
WHEN (OLD.status = 'sent' AND OLD.channel IN ('push', 'webhook'))
    OR (NEW.status = 'sent' AND NEW.channel IN ('push', 'webhook'))
BEGIN
    -- Its old place first: those after it there may have lost the one they followed.
    UPDATE deliveries SET starts_interruption = NOT EXISTS (
        SELECT 1 FROM deliveries p INDEXED BY deliveries_person_order
        WHERE p.user_id = deliveries.user_id AND p.status = 'sent'
            AND p.channel IN ('push', 'webhook')
            AND p.sent_at >= strftime('%Y-%m-%dT%H:%M:%SZ', deliveries.sent_at, '-60 seconds')
            AND (p.sent_at, p.id) < (deliveries.sent_at, deliveries.id)
    )
    WHERE OLD.status = 'sent' AND OLD.channel IN ('push', 'webhook') AND id IN (
        SELECT id FROM deliveries
        WHERE user_id = OLD.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
            AND sent_at = OLD.sent_at AND id > OLD.id
        UNION ALL
        SELECT id FROM deliveries
        WHERE user_id = OLD.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
            AND sent_at > OLD.sent_at
            AND sent_at <= strftime('%Y-%m-%dT%H:%M:%SZ', OLD.sent_at, '+60 seconds')
    );
    -- Its own mark, where it is now.
    UPDATE deliveries SET starts_interruption = CASE
        WHEN status = 'sent' AND channel IN ('push', 'webhook') THEN NOT EXISTS (
        SELECT 1 FROM deliveries p INDEXED BY deliveries_person_order
        WHERE p.user_id = deliveries.user_id AND p.status = 'sent'
            AND p.channel IN ('push', 'webhook')
            AND p.sent_at >= strftime('%Y-%m-%dT%H:%M:%SZ', deliveries.sent_at, '-60 seconds')
            AND (p.sent_at, p.id) < (deliveries.sent_at, deliveries.id)
    )
    END
    WHERE id = NEW.id;
    -- Its new place: those after it within 60 s now follow it.
    UPDATE deliveries SET starts_interruption = 0
    WHERE NEW.status = 'sent' AND NEW.channel IN ('push', 'webhook') AND id IN (
        SELECT id FROM deliveries
        WHERE user_id = NEW.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
            AND sent_at = NEW.sent_at AND id > NEW.id
        UNION ALL
        SELECT id FROM deliveries
        WHERE user_id = NEW.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
            AND sent_at > NEW.sent_at
            AND sent_at <= strftime('%Y-%m-%dT%H:%M:%SZ', NEW.sent_at, '+60 seconds')
    );
END;

CREATE TRIGGER deliveries_starts_delete AFTER DELETE ON deliveries
WHEN OLD.status = 'sent' AND OLD.channel IN ('push', 'webhook')
BEGIN
    UPDATE deliveries SET starts_interruption = NOT EXISTS (
        SELECT 1 FROM deliveries p INDEXED BY deliveries_person_order
        WHERE p.user_id = deliveries.user_id AND p.status = 'sent'
            AND p.channel IN ('push', 'webhook')
            AND p.sent_at >= strftime('%Y-%m-%dT%H:%M:%SZ', deliveries.sent_at, '-60 seconds')
            AND (p.sent_at, p.id) < (deliveries.sent_at, deliveries.id)
    )
    WHERE id IN (
        SELECT id FROM deliveries
        WHERE user_id = OLD.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
            AND sent_at = OLD.sent_at AND id > OLD.id
        UNION ALL
        SELECT id FROM deliveries
        WHERE user_id = OLD.user_id AND status = 'sent' AND channel IN ('push', 'webhook')
            AND sent_at > OLD.sent_at
            AND sent_at <= strftime('%Y-%m-%dT%H:%M:%SZ', OLD.sent_at, '+60 seconds')
    );
END;

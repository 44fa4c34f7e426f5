-- Why: "every attempt and its result recorded". A delivery kept only its attempt count and last
-- status, and only alert deliveries told their attempts (on the alert's timeline); a reminder,
-- a publication notice, a swap or a fatigue prompt that failed twice then got through left no
-- trace of the failures. One row per attempt of every delivery, whatever its channel: when, the
-- outcome, the status code and a short detail (never the message nor a device's keys).

CREATE TABLE delivery_attempts (
    id INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL CHECK (attempt >= 1),
    at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed', 'gone')),
    status_code INTEGER NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
-- Not unique: two processes sending the same due delivery at once must not lose a batch.
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, attempt);

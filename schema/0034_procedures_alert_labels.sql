-- Why: a procedure may be tagged with an Alertmanager label ("service=chaufferie"); to show it
-- first on the alert's page, the alert keeps the labels it came with (JSON object, {} for
-- alerts raised by hand, by a call or before this migration).
ALTER TABLE alerts ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';

-- Why: the rest engine reads a person's interventions ending after the start of the weeks it
-- checks (server/rest/store.py: intervention_spans; the people figures read the same rows to
-- key their kept violations, server/metrics/store/people.py: rest_inputs). By person and
-- start, that read every intervention the person ever started; by person and end, with what
-- is read, it is the range asked for.
CREATE INDEX interventions_person_end ON interventions (
    user_id, ended_at, started_at, travel_minutes
) WHERE deleted_at IS NULL;

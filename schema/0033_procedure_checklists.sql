-- Why: a procedure's checklist ticked during an intervention (issue 16) is saved with it: the
-- procedure, the version the boxes were ticked against (the text may change later) and the
-- items ticked (their order in that version), one row per (intervention, procedure). A later
-- change of the same checklist from the phone replaces the row; a replayed one writes nothing.
CREATE TABLE intervention_checklists (
    intervention_id INTEGER NOT NULL REFERENCES interventions (id) ON DELETE CASCADE,
    procedure_id INTEGER NOT NULL REFERENCES procedures (id) ON DELETE CASCADE,
    version INTEGER NOT NULL CHECK (version >= 1),
    -- JSON list of the ticked items' numbers (data-item of the rendered checklist), sorted.
    items TEXT NOT NULL DEFAULT '[]',
    saved_at TEXT NOT NULL,
    PRIMARY KEY (intervention_id, procedure_id)
);
CREATE INDEX intervention_checklists_by_procedure ON intervention_checklists (procedure_id);
